-- POST the form (args after --: want file authorization body) until `want` access tokens are written to `file`, one a
-- line, then create `file`.done: wrk's main thread sleeps out -d whatever the threads do, so the caller stops wrk
-- when it sees that file. Used to issue tokens before a row that spends one per request.
local file, want, count, done_file = nil, 0, 0, nil
function init(args)
  want = tonumber(args[1]); file = io.open(args[2], "w"); file:setvbuf("full"); done_file = args[2] .. ".done"
  wrk.method = "POST"
  wrk.headers["Authorization"] = args[3]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.body = args[4]
end
function response(status, headers, body)
  if count >= want then return end
  local token = status == 200 and body:match('"access_token"%s*:%s*"([^"]+)"')
  if token then
    count = count + 1; file:write(token, "\n")
    if count >= want then file:close(); io.open(done_file, "w"):close(); wrk.thread:stop() end
  end
end
