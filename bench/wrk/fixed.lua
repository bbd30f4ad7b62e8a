-- One fixed GET: the path is the URL given to wrk (scenarios a, b and c).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

for k, v in pairs(bench.headers()) do
    wrk.headers[k] = v
end
