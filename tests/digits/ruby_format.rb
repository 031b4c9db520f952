# Formats doubles as Tracksperanto's exporters do, with Ruby's format("%.Nf"). Reads lines
# "BITS DECIMALS" (BITS: the IEEE-754 double as 16 hex digits), writes one line of text each.
$stdout.sync = false
$stdin.each_line do |line|
  bits, decimals = line.split
  value = [bits.to_i(16)].pack("Q<").unpack1("E")
  $stdout.puts(format("%.*f", decimals.to_i, value))
end
