-- wrk script for bench/replica.sh: reader pages that read the database on every request
-- (home's later pages and searches for varying words; neither is a whole-page cache hit).
-- The done() hook is bench/report.lua's, so replica.sh parses the same BENCH line.
local words = {"pain", "sleep", "vitamin", "dose", "children", "migraine", "iron", "exercise",
               "aspirin", "zoster", "blood", "heart", "screening", "vaccine", "diet", "cough"}
local n = 0

request = function()
  n = n + 1
  local path
  if n % 2 == 0 then
    path = "/?q=" .. words[(n / 2) % #words + 1] .. "&page=" .. (n % 3 + 1)
  else
    path = "/?page=" .. (n % 7 + 1)
  end
  return wrk.format("GET", path)
end

dofile("bench/report.lua")
