-- wrk script for the cast benchmark: every request is one signed-in delegate casting
-- its member's ballot, and every delegate is used at most once.
--
-- Input (environment):
--   BENCH_DATA     file written by run.py: first line "path", then one line per
--                  delegate: "<session cookie header value>\t<url-encoded form body>"
--   BENCH_THREADS  the -t given to wrk (delegates are split between threads by line number)
--   BENCH_MODE     "exact": each thread sends its share once, then stops (run with -t1, see
--                  run.py: a sync gunicorn worker would otherwise sit on another thread's idle
--                  connection); "duration": run until -d elapses, never reusing a delegate.
--   BENCH_DONE     (exact mode) a file created when the thread got its last response.
--
-- done() prints one line "BENCH_JSON {...}" that run.py parses.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local threads = {}
local made = 0
setup = function(thread)
  thread:set("tid", made)
  made = made + 1
  table.insert(threads, thread)
end

-- Globals (not locals) are what done() can read back with thread:get().
mine = {}      -- { {cookie, body}, ... } for this thread
path = nil
ballot_path = nil
reserved, sent, received, share = 0, 0, 0, 0
first_us, last_us = 0, 0
statuses = {}  -- status -> count
statuses_json = "{}"
bad_location = 0
unannounced = 0
local mode = os.getenv("BENCH_MODE") or "exact"

init = function(args)
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  local index = 0
  for line in io.lines(os.getenv("BENCH_DATA")) do
    if path == nil then
      path = line
    else
      if index % n == tid then
        local cookie, body = line:match("^([^\t]+)\t(.+)$")
        table.insert(mine, { cookie, body })
      end
      index = index + 1
    end
  end
  share = #mine
  ballot_path = path:gsub("/cast$", "")
end

-- Called before each request on a connection: past this thread's share, park the
-- connection for an hour (run.py stops wrk as soon as every response is in).
delay = function()
  if reserved >= #mine then
    return 3600000
  end
  reserved = reserved + 1
  return 0
end

local function cast_request(item)
  return wrk.format("POST", path, {
    ["Cookie"] = item[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "pcpa-bench",
  }, item[2])
end

request = function()
  if sent >= reserved then
    -- A call delay() did not announce: wrk's start-up check (it calls request() once in the first
    -- thread to validate the script and throws the result away), or a retry after the server closed a
    -- connection without answering. It consumes no delegate; run.py reports how many there were.
    unannounced = unannounced + 1
    return cast_request(mine[math.min(sent + 1, #mine)])
  end
  if first_us == 0 then first_us = now_us() end
  sent = sent + 1
  return cast_request(mine[sent])
end

local function encode_statuses(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, '"' .. k .. '":' .. v) end
  return "{" .. table.concat(parts, ",") .. "}"
end

response = function(status, headers, body)
  received = received + 1
  last_us = now_us()
  statuses[status] = (statuses[status] or 0) + 1
  statuses_json = encode_statuses(statuses)
  -- A cast is answered with its receipt (200, the ballot page with the tracker); a refusal redirects.
  if status ~= 200 then
    bad_location = bad_location + 1
  end
  if mode == "exact" and received >= #mine then
    local f = io.open(os.getenv("BENCH_DONE") .. "." .. tid, "w")
    f:write("done\n")
    f:close()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local parts = {}
  local per_thread = {}
  local first, last = nil, 0
  for _, t in ipairs(threads) do
    local f, l = t:get("first_us"), t:get("last_us")
    if f and f > 0 and (first == nil or f < first) then first = f end
    if l and l > last then last = l end
    table.insert(per_thread, string.format(
      '{"share":%d,"reserved":%d,"sent":%d,"unannounced":%d,"received":%d,"statuses":%s,"bad_location":%d}',
      t:get("share"), t:get("reserved"), t:get("sent"), t:get("unannounced"), t:get("received"), t:get("statuses_json"),
      t:get("bad_location")))
  end
  local pct = {}
  for _, p in ipairs({ 50, 90, 95, 99, 99.9 }) do
    table.insert(pct, string.format('"%s":%.1f', tostring(p), latency:percentile(p)))
  end
  io.write(string.format(
    'BENCH_JSON {"mode":"%s","requests":%d,"duration_us":%d,"first_us":%.0f,"last_us":%.0f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%.1f,"mean":%.1f,"max":%.1f,"stdev":%.1f,"p":{%s}},"threads":[%s]}\n',
    mode, summary.requests, summary.duration, first or 0, last,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.min, latency.mean, latency.max, latency.stdev, table.concat(pct, ","), table.concat(per_thread, ",")))
end
