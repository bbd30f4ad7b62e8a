-- One case by id (scenario e): GET /api/v2/cases/<random id from BENCH_IDS_FILE>.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local ids, headers

function init(args)
    bench.seed()
    headers = bench.headers()
    ids = bench.lines(os.getenv("BENCH_IDS_FILE"))
end

function request()
    return wrk.format("GET", "/api/v2/cases/" .. ids[math.random(#ids)], headers)
end
