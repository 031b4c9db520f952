#!/usr/bin/env python3
"""Converter benchmark: large inputs in five formats, converted into all formats and into
one (PFTrack 5); reports wall time, CPU time and peak RSS per run (best of --repeat).

  converter_bench.py TRACKPORT [--trackers 2000] [--frames 1000] [--repeat 3] [--work DIR]

Inputs are made by writing a synthetic tsv (smooth random-walk tracks with residuals)
and converting it with trackport itself into each input format, so the inputs are what
the exporters write. Not a test: nothing here asserts a time.
"""
import argparse, math, os, random, resource, shutil, subprocess, sys, time

INPUTS = [  # (exporter that writes the input, importer that reads it back)
    ('nukescript', 'nukescript'),
    ('shaketext', 'shaketext'),
    ('pftrack5', 'pftrack'),
    ('syntheyes', 'syntheyes'),
    ('equalizer4', 'equalizer4'),
]


def write_tsv(path, trackers, frames):
    rnd = random.Random(42)
    with open(path, 'w') as f:
        f.write('# width\t1920\n# height\t1080\ntracker\tframe\tx\ty\tresidual\n')
        for t in range(trackers):
            x, y = rnd.uniform(100, 1800), rnd.uniform(100, 1000)
            dx, dy = rnd.uniform(-2, 2), rnd.uniform(-2, 2)
            rows = []
            for fr in range(frames):
                x += dx + math.sin(fr * 0.05 + t) * 0.3
                y += dy + math.cos(fr * 0.04 + t) * 0.3
                rows.append(f'Track{t + 1}\t{fr}\t{x:.6f}\t{y:.6f}\t{rnd.random() * 0.1:.6f}\n')
            f.writelines(rows)


def measure(cmd):
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        raise SystemExit(f'failed ({status}): {" ".join(cmd)}')
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('trackport')
    ap.add_argument('--trackers', type=int, default=2000)
    ap.add_argument('--frames', type=int, default=1000)
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--work', default='/tmp/trackport-bench')
    a = ap.parse_args()
    trackport = os.path.abspath(a.trackport)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    source = os.path.join(a.work, 'source.tsv')
    write_tsv(source, a.trackers, a.frames)
    print(f'{a.trackers} trackers x {a.frames} frames = {a.trackers * a.frames} keyframes')
    print()
    print('| input | size | all formats: wall / CPU / peak RSS | PFTrack 5 only: wall / CPU / peak RSS |')
    print('|---|---|---|---|')
    for exporter, importer in INPUTS:
        made = os.path.join(a.work, 'made-' + exporter)
        os.makedirs(made)
        subprocess.run([trackport, '--only', exporter, '--output-dir', made, source], check=True,
                       stdout=subprocess.DEVNULL)
        (name,) = os.listdir(made)
        path = os.path.join(made, name)
        rows = []
        for only in ([], ['--only', 'pftrack5']):
            out = os.path.join(a.work, 'out-' + exporter + ('-one' if only else '-all'))
            best = None
            for _ in range(a.repeat):
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                m = measure([trackport, '-f', importer, '-w', '1920', '-h', '1080', '--output-dir', out] + only + [path])
                best = m if best is None or m[0] < best[0] else best
            rows.append(f'{best[0]:.2f} s / {best[1]:.2f} s / {best[2]:.0f} MB')
        size = os.path.getsize(path) / 1e6
        print(f'| {importer} ({name.split("_", 1)[1]}) | {size:.0f} MB | {rows[0]} | {rows[1]} |', flush=True)
    shutil.rmtree(a.work, ignore_errors=True)


if __name__ == '__main__':
    main()
