#!/usr/bin/env python3
"""Keyframe lines of the Ruby, PFTrack 5 and After Effects exporters against the lines
Tracksperanto's own templates give in Ruby for the same values, on coordinates and residuals
that sit on or next to decimal ties at the precision each exporter writes.

  exporters_vs_ruby.py TRACKPORT WORKDIR

Exits 77 (skipped) when ruby is not on the PATH. Prints "N passed, M failed".
"""
import os, random, shutil, subprocess, sys

# Tracksperanto's templates (lib/tracksperanto/tracker.rb, lib/export/pfmatchit.rb with
# to_pfcoord = value - 0.5, lib/export/cosa.rb), applied to the keyframes of a tsv.
RUBY_SIDE = r'''
height = Integer(ARGV[1])
lines = { "ruby" => [], "pftrack5" => [], "ae" => [] }
layer, last = -1, nil
File.foreach(ARGV[0]) do |row|
  next if row.start_with?("#") || row.start_with?("tracker\t")
  name, frame, x, y, r = row.split("\t")
  frame, x, y, r = Integer(frame), Float(x), Float(y), Float(r)
  (layer += 1; last = name) if name != last
  lines["ruby"] << "  t.keyframe!(:frame => %d, :abs_x => %0.05f, :abs_y => %0.05f, :residual => %0.05f)" % [frame, x, y, r]
  lines["pftrack5"] << "%s %.3f %.3f %.3f" % [frame, x - 0.5, y - 0.5, r / 8]
  lines["ae"] << "pos.setValueAtTime(convertFrameToSeconds(layer%d, %d), [%0.5f,%0.5f]);" % [layer, frame, x, height - y]
end
lines.each { |name, list| File.write(File.join(ARGV[2], name + ".want"), list.join("\n") + "\n") }
'''

OUTPUTS = {'ruby': ('tracksperanto_ruby.rb', '  t.keyframe!('),
           'pftrack5': ('pftrack_v5.2dt', None),
           'ae': ('createNulls.jsx', 'pos.setValueAtTime(')}


def near_tie(rnd, decimals, lo, hi):
    """Text of a value on a decimal tie at `decimals` places, a hair either side of it, or
    one of the values around it."""
    whole = rnd.randint(lo, hi)
    digits = ''.join(rnd.choice('0123456789') for _ in range(decimals))
    tie = f'{whole}.{digits}5'
    kind = rnd.randrange(4)
    if kind == 0:
        return tie
    value = float(tie)
    nudge = value * 2.0 ** -52 * rnd.choice([1, 2, 3, 20, 60]) * rnd.choice([1, -1])
    return repr(value + nudge) if kind < 3 else f'{whole}.{digits}{rnd.randint(0, 9)}'


def main():
    if shutil.which('ruby') is None:
        print('skipped: ruby is not on the PATH')
        return 77
    trackport, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rnd = random.Random(9)
    height = 1080
    source = os.path.join(work, 'ties.tsv')
    with open(source, 'w') as f:
        f.write(f'# width\t1920\n# height\t{height}\ntracker\tframe\tx\ty\tresidual\n')
        for t in range(6):
            for frame in range(2000):
                places = (5, 3) if t % 2 else (3, 5)  # ties at 5 places (Ruby, AE) or 3 (PFTrack)
                x = near_tie(rnd, places[0], 0, 1919)
                y = near_tie(rnd, places[1], 0, 1079)
                r = f'0.0{rnd.randint(0, 9)}{rnd.choice("02468")}'  # / 8: ties at 3 places
                f.write(f'Track{t + 1}\t{frame}\t{x}\t{y}\t{r}\n')
    subprocess.run([trackport, '--only', 'ruby,pftrack5,ae', '-w', '1920', '-h', str(height),
                    source], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['ruby', '-e', RUBY_SIDE, source, str(height), work], check=True)
    passed = failed = 0
    for name, (suffix, prefix) in OUTPUTS.items():
        with open(os.path.join(work, 'ties_' + suffix), newline='') as f:
            got = f.read().replace('\r\n', '\n').split('\n')
        if prefix:
            got = [line for line in got if line.startswith(prefix)]
        else:  # PFTrack: the "frame x y residual" rows
            got = [line for line in got if len(line.split(' ')) == 4]
        with open(os.path.join(work, name + '.want')) as f:
            want = f.read().split('\n')[:-1]
        bad = [(g, w) for g, w in zip(got, want) if g != w]
        if len(got) != len(want) or bad:
            failed += 1
            print(f'{name}: {len(got)} lines, Tracksperanto {len(want)}; {len(bad)} differ')
            for g, w in bad[:5]:
                print(f'  trackport:      {g}\n  Tracksperanto:  {w}')
        else:
            passed += 1
            print(f'{name}: {len(got)} keyframe lines identical to Tracksperanto\'s')
    shutil.rmtree(work, ignore_errors=True)
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
