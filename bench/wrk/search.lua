-- Name search (scenario d): GET /api/v2/cases?query=<text>, cycling through BENCH_NAMES_FILE.
-- Each thread starts at a different place in the list.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local paths, headers, n

function init(args)
    bench.seed()
    headers = bench.headers()
    paths = {}
    for _, name in ipairs(bench.lines(os.getenv("BENCH_NAMES_FILE"))) do
        paths[#paths + 1] = "/api/v2/cases?query=" .. bench.urlencode(name)
    end
    n = math.random(#paths) - 1
end

function request()
    n = n % #paths + 1
    return wrk.format("GET", paths[n], headers)
end
