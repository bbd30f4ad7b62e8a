-- Shared by every scenario script: authentication, per-thread counters of non-2xx responses,
-- and one machine-readable result line printed by done().
--
-- Environment (set by bench/run.sh):
--   BENCH_TOKEN       bearer token; when empty no Authorization header is sent
--   BENCH_IDS_FILE    case ids, one per line (by-id and PATCH scenarios)
--   BENCH_NAMES_FILE  search texts, one per line, UTF-8 (search scenario)
--   BENCH_SEED        base seed of each thread's random generator (default 42)

bench = {}

bench.token = os.getenv("BENCH_TOKEN") or ""

-- Request headers every scenario sends.
function bench.headers(extra)
    local h = { ["Accept"] = "application/json" }
    if bench.token ~= "" then
        h["Authorization"] = "Bearer " .. bench.token
    end
    for k, v in pairs(extra or {}) do
        h[k] = v
    end
    return h
end

-- Non-empty lines of a file.
function bench.lines(path)
    local out = {}
    local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
    for line in f:lines() do
        line = line:gsub("\r$", "")
        if line ~= "" and line:sub(1, 1) ~= "#" then
            out[#out + 1] = line
        end
    end
    f:close()
    assert(#out > 0, "no lines in " .. path)
    return out
end

-- Percent-encodes every byte outside the unreserved set (so UTF-8 text is encoded byte by byte).
function bench.urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

-- ---- main state: thread bookkeeping -------------------------------------------------------
local threads = {}

function setup(thread)
    thread:set("thread_id", #threads + 1)
    threads[#threads + 1] = thread
end

-- ---- worker threads -----------------------------------------------------------------------
non2xx = 0
statuses = {}
first_error = ""

function bench.seed()
    local base = tonumber(os.getenv("BENCH_SEED") or "42") or 42
    math.randomseed(base + 7919 * (thread_id or 0))
end

function response(status, headers, body)
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
        if first_error == "" then
            first_error = key .. " " .. string.sub(body or "", 1, 300)
        end
    end
end

-- ---- main state: the result line ------------------------------------------------------------
local function json_string(s)
    s = tostring(s)
    s = s:gsub('[%c"\\]', function(c)
        if c == '"' then return '\\"' end
        if c == "\\" then return "\\\\" end
        return string.format("\\u%04x", string.byte(c))
    end)
    return '"' .. s .. '"'
end

function done(summary, latency, requests)
    local total_non2xx = 0
    local all_statuses = {}
    local errors_seen = {}
    for _, t in ipairs(threads) do
        total_non2xx = total_non2xx + (t:get("non2xx") or 0)
        local st = t:get("statuses") or {}
        for k, v in pairs(st) do
            all_statuses[k] = (all_statuses[k] or 0) + v
        end
        local fe = t:get("first_error") or ""
        if fe ~= "" then
            errors_seen[#errors_seen + 1] = json_string(fe)
        end
    end
    local st_parts = {}
    for k, v in pairs(all_statuses) do
        st_parts[#st_parts + 1] = json_string(k) .. ":" .. string.format("%d", v)
    end
    local e = summary.errors
    local parts = {
        '"requests":' .. string.format("%d", summary.requests),
        '"duration_us":' .. string.format("%d", summary.duration),
        '"bytes":' .. string.format("%d", summary.bytes),
        '"errors":{"connect":' .. e.connect .. ',"read":' .. e.read .. ',"write":' .. e.write
            .. ',"timeout":' .. e.timeout .. ',"status_ge_400":' .. e.status
            .. ',"non_2xx":' .. total_non2xx .. '}',
        '"statuses":{' .. table.concat(st_parts, ",") .. '}',
        '"latency_us":{"min":' .. latency.min .. ',"max":' .. latency.max
            .. ',"mean":' .. string.format("%.1f", latency.mean)
            .. ',"stdev":' .. string.format("%.1f", latency.stdev)
            .. ',"p50":' .. latency:percentile(50)
            .. ',"p90":' .. latency:percentile(90)
            .. ',"p99":' .. latency:percentile(99)
            .. ',"p999":' .. latency:percentile(99.9) .. '}',
        '"error_samples":[' .. table.concat(errors_seen, ",") .. ']',
    }
    io.write("BENCH_RESULT {" .. table.concat(parts, ",") .. "}\n")
end
