-- fusion_load.lua FILE: loads a Fusion .setting as the Lua table it is, with the
-- constructors Fusion defines made into functions that return their table (tagged with
-- its type), then prints every tracker of every Tracker tool as "name<TAB>frame<TAB>x<TAB>y"
-- lines, following TrackedCenterN -> XYPath -> BezierSpline KeyFrames. Fails (exit status 1)
-- on anything that is not a valid setting of that shape.
local path = assert(arg[1], "usage: fusion_load.lua FILE")
local f = assert(io.open(path, "rb"))
local text = f:read("a")
f:close()

local env = {}
local function constructor(kind)
  return function(t)
    assert(type(t) == "table", kind .. " takes a table")
    t.__type = kind
    return t
  end
end
for _, kind in ipairs({ "Input", "BezierSpline", "XYPath", "PolyPath", "Polyline", "Tracker",
                        "OperatorInfo", "FuID", "Number", "Point", "Transform" }) do
  env[kind] = constructor(kind)
end
env.ordered = function() return constructor("ordered") end
setmetatable(env, { __index = function(_, name) error("unknown name " .. tostring(name)) end })

local chunk = assert(load("return " .. text, "=" .. path, "t", env))
local setting = chunk()
assert(type(setting) == "table", "the file is not a table")
local tools = assert(setting.Tools, "no Tools")
assert(tools.__type == "ordered", "Tools is not ordered()")

local function spline(input)
  assert(input.__type == "Input", "not an Input")
  local s = assert(tools[input.SourceOp], "no tool " .. tostring(input.SourceOp))
  assert(s.__type == "BezierSpline", "not a BezierSpline")
  assert(input.Source == "Value")
  return s.KeyFrames
end

local count = 0
for toolname, tool in pairs(tools) do
  if type(tool) == "table" and tool.__type == "Tracker" then
    local n = 1
    while tool.Inputs["TrackedCenter" .. n] do
      local center = tool.Inputs["TrackedCenter" .. n]
      local name = tool.Inputs["Name" .. n].Value
      local path_tool = assert(tools[center.SourceOp], "no path tool")
      assert(path_tool.__type == "XYPath", "not an XYPath")
      local xs, ys = spline(path_tool.Inputs.X), spline(path_tool.Inputs.Y)
      local frames = {}
      for frame, key in pairs(xs) do
        assert(math.type(frame) == "integer", "a key frame is not whole")
        assert(ys[frame], "X and Y keys differ")
        assert(key.Flags and key.Flags.Linear == true, "a key is not linear")
        frames[#frames + 1] = frame
      end
      table.sort(frames)
      local pattern = tool.Trackers[n]
      assert(pattern.PatternTime == frames[1], "the pattern is not at the first key")
      assert(pattern.PatternX == xs[frames[1]][1] and pattern.PatternY == ys[frames[1]][1])
      local pc = tool.Inputs["PatternCenter" .. n].Value
      assert(pc[1] == pattern.PatternX and pc[2] == pattern.PatternY)
      for _, frame in ipairs(frames) do
        io.write(name, "\t", frame, "\t", string.format("%.15f", xs[frame][1]), "\t",
                 string.format("%.15f", ys[frame][1]), "\n")
      end
      count = count + 1
      n = n + 1
    end
    assert(tool.CustomData.TrackportWidth > 0 and tool.CustomData.TrackportHeight > 0)
    assert(setting.ActiveTool == toolname, "ActiveTool is not the Tracker")
  end
end
assert(count > 0, "no trackers")
