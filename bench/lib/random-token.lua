-- Introspect a random token from a file on every request (args after --: tokens-file authorization), so that the
-- lookups spread over the whole table instead of hitting one cached page.
local tokens = {}
local authorization = nil
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  authorization = args[2]
  math.randomseed(os.time() + #tokens)
end
function request()
  return wrk.format("POST", nil, { ["Authorization"] = authorization, ["Content-Type"] = "application/x-www-form-urlencoded" },
    "token=" .. tokens[math.random(#tokens)])
end
