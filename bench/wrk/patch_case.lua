-- Updating a case (scenario f): PATCH /api/v2/cases/<random id> with {"data":{"age":<0..17>}}.
-- No record_version and no If-Match: the last write wins.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local ids, headers

function init(args)
    bench.seed()
    headers = bench.headers({ ["Content-Type"] = "application/json" })
    ids = bench.lines(os.getenv("BENCH_IDS_FILE"))
end

function request()
    local body = string.format('{"data":{"age":%d}}', math.random(0, 17))
    return wrk.format("PATCH", "/api/v2/cases/" .. ids[math.random(#ids)], headers, body)
end
