-- One token per request, never reused (args after --: tokens-file [authorization]): with an authorization argument
-- the token goes in a form body "token=..." (revocation), without it as "Authorization: Bearer ..." (an API call).
-- When the tokens run out the thread stops and records the time, so that req/s can be computed over the time they
-- lasted ("tokens exhausted at ns:" in the output).
local tokens = {}
local authorization = nil
used, total, exhausted_ns = 0, 0, ""
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  total = #tokens
  authorization = args[2]
end
function request()
  if used >= total then
    if exhausted_ns == "" then
      local p = io.popen("date +%s%N"); exhausted_ns = p:read("*l"); p:close(); wrk.thread:stop()
    end
    return wrk.format(nil, nil, { ["Authorization"] = "none" })  -- not sent on: the thread is stopping
  end
  used = used + 1
  if authorization then
    return wrk.format("POST", nil, { ["Authorization"] = authorization, ["Content-Type"] = "application/x-www-form-urlencoded" },
      "token=" .. tokens[used])
  end
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[used] })
end
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function done(summary, latency, requests)
  local u, t, e = 0, 0, ""
  for _, thread in ipairs(threads) do
    u = u + thread:get("used"); t = t + thread:get("total")
    if thread:get("exhausted_ns") ~= "" then e = thread:get("exhausted_ns") end
  end
  io.write(string.format("tokens used: %d of %d\n", u, t))
  if e ~= "" then io.write("tokens exhausted at ns: ", e, "\n") end
end
