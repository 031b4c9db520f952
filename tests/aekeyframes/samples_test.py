#!/usr/bin/env python3
"""After Effects keyframe data and Mocha's SynthEyes .sni export, end to end through the CLI.

  samples_test.py TRACKPORT COMPARE PARABOLIC_TSV WORK_DIR SAMPLE_DIR...

1. Every sample (each SAMPLE_DIR holds samples/ and expected/) is converted with the format
   detected from its name and content, and the keyframes compared with expected/<name>.tsv.
2. The After Effects samples are read by ae_reader.py, an independent reader of the public
   description, and the trackers the README's naming rule makes of its blocks compared with
   the same expected tables: two readers, one answer.
3. The three After Effects exporters write the expected tables and parabolic.tsv; ae_reader.py
   reads each output back and every block is checked against the trackers written (y measured
   from the top, frames as they are; the pins' corners placed by where the trackers start).
Prints one line per failure and "N passed, M failed".
"""
import os, re, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, '..', 'exporters')]
import ae_reader  # noqa: E402
from exporters_test import Runner  # noqa: E402  (result() and convert() of the exporter tests)

KNOWN = {'Position', 'Anchor Point', 'Feature Center', 'Attach Point', 'Upper Left', 'Upper Right',
         'Lower Left', 'Lower Right'}
POWER_PIN = {'0002': 'Top Left', '0003': 'Top Right', '0004': 'Bottom Left', '0005': 'Bottom Right'}
TOL = 1e-4


def read_tsv(path):
    """-> (width, height, [(name, [(frame, x, y)])]) in file order."""
    width = height = None
    trackers = []
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('# width'):
                width = int(line.split('\t')[1])
            elif line.startswith('# height'):
                height = int(line.split('\t')[1])
            if not line or line.startswith('#') or line.startswith('tracker\t'):
                continue
            name, frame, x, y, _ = line.split('\t')
            if not trackers or trackers[-1][0] != name:
                trackers.append((name, []))
            trackers[-1][1].append((int(frame), float(x), float(y)))
    return width, height, trackers


def strip_number(field):
    return re.sub(r'\s+#\d+$', '', field)


def tracker_name(block):
    path = list(block['path'])
    if len(path) > 1 and path[0] in ('Transform', 'Effects', 'Motion Trackers'):
        path = path[1:]
    leaf = strip_number(path[-1])
    m = re.match(r'^CC Power Pin-(000[2-5])$', path[-1])
    if m:
        leaf = POWER_PIN[m.group(1)]
    parts = ([f'Layer {block["layer"]}'] if block['layer'] else []) + \
            [p.replace('#', '') for p in path[:-1]] + [leaf]
    return re.sub(r'\s+', '_', ' '.join(parts))


def is_position(block):
    labels = block['labels'] or []
    pixels = labels[1:] in (['X pixels', 'Y pixels'], ['X pixels', 'Y pixels', 'Z pixels'])
    m = re.match(r'^CC Power Pin-000[2-5]$', block['path'][-1])
    return pixels or bool(m) or strip_number(block['path'][-1]) in KNOWN


def trackers_of(data, height):
    """The trackers trackport's README says the blocks become, in model coordinates."""
    out = []
    for b in data['blocks']:
        if not is_position(b):
            continue
        keys = {}
        for frame, values in b['rows']:
            if frame is None:
                continue
            keys[int(round(frame))] = (values[0], height - values[1])
        if keys:
            out.append((tracker_name(b), [(f, x, y) for f, (x, y) in sorted(keys.items())]))
    return out


def same_trackers(want, got, names=True):
    if len(want) != len(got):
        return f'expected {len(want)} trackers, got {len(got)}'
    for (wn, wk), (gn, gk) in zip(want, got):
        if names and wn != gn:
            return f'expected tracker {wn!r}, got {gn!r}'
        if len(wk) != len(gk):
            return f'{wn}: expected {len(wk)} keyframes, got {len(gk)}'
        for (wf, wx, wy), (gf, gx, gy) in zip(wk, gk):
            if wf != gf or abs(wx - gx) > TOL or abs(wy - gy) > TOL:
                return f'{wn}: expected frame {wf} at ({wx}, {wy}), got frame {gf} at ({gx}, {gy})'
    return None


def check_positions(data, trackers, width, height):
    if (data['header'].get('Source Width'), data['header'].get('Source Height')) != (str(width), str(height)):
        return f'header size {data["header"]} is not {width}x{height}'
    if not data['ended']:
        return 'no "End of Keyframe Data" line'
    if [b['layer'] for b in data['blocks']] != list(range(1, len(trackers) + 1)):
        return 'expected one layer a tracker'
    for b, (name, keys) in zip(data['blocks'], trackers):
        if b['path'] != ['Transform', 'Position'] or b['labels'] != ['Frame', 'X pixels', 'Y pixels', 'Z pixels']:
            return f'{name}: block {b["path"]} {b["labels"]} is no Transform Position in pixels'
        rows = [(int(f), v[0], height - v[1]) for f, v in b['rows']]
        if any(v[2] != 0 for _, v in b['rows']):
            return f'{name}: Z is not 0'
        problem = same_trackers([(name, keys)], [(name, rows)])
        if problem:
            return problem
    return None


def check_pin(data, trackers, height, labels):
    first = trackers[:4]
    if [b['path'] for b in data['blocks']] != labels[:len(first)]:
        return f'blocks {[b["path"] for b in data["blocks"]]}, expected {labels[:len(first)]}'
    got = [[(int(f), v[0], height - v[1]) for f, v in b['rows']] for b in data['blocks']]
    if len(first) < 4:
        # fewer than four trackers: the corners in the order they came
        return same_trackers(first, list(zip([n for n, _ in first], got)))
    # four: each block is one of the trackers, and the corners sit where they should
    matched = []
    for keys in got:
        owners = [n for n, k in first if same_trackers([(n, k)], [(n, keys)]) is None]
        if len(owners) != 1:
            return f'a corner matches {len(owners)} of the trackers'
        matched.append(owners[0])
    if sorted(matched) != sorted(n for n, _ in first):
        return f'corners {matched} do not use each tracker once'
    tl, tr, bl, br = (k[0] for k in got)   # first keyframes, model coordinates (y up)
    if not (min(tl[2], tr[2]) >= max(bl[2], br[2]) and tl[1] <= tr[1] and bl[1] <= br[1]):
        return f'corners out of place: {tl} {tr} {bl} {br}'
    return None


def main(argv):
    trackport, compare, parabolic, work = argv[1:5]
    sample_dirs = argv[5:]
    shutil.rmtree(work, ignore_errors=True)
    r = Runner(trackport, compare, work)
    tables = [parabolic]
    for d in sample_dirs:
        for name in sorted(os.listdir(os.path.join(d, 'samples'))):
            base = os.path.splitext(name)[0]
            sample = os.path.join(d, 'samples', name)
            expected = os.path.join(d, 'expected', base + '.tsv')
            out = os.path.join(work, 'import', base)
            # 1. the CLI, the format detected
            problem = r.convert(sample, out, ['-w', '1920', '-h', '1080', '--only', 'tsv'])
            if not problem:
                run = subprocess.run([sys.executable, compare, 'tsv', expected,
                                      os.path.join(out, base + '_tracks.tsv')],
                                     capture_output=True, text=True)
                problem = run.stdout.strip() if run.returncode else None
            r.result(f'import {name}', problem)
            if name.endswith('.txt'):
                tables.append(expected)
                # 2. the independent reader agrees
                try:
                    with open(sample, encoding='utf-8') as fh:
                        data = ae_reader.read(fh.read())
                    width, height, want = read_tsv(expected)
                    problem = same_trackers(want, trackers_of(data, height))
                    if not problem and int(float(data['header'].get('Source Width', 0))) not in (0, width):
                        problem = f'Source Width {data["header"]["Source Width"]} is not {width}'
                except ValueError as e:
                    problem = f'ae_reader: {e}'
                r.result(f'independent reader {name}', problem)
    # 3. the exporters, read back independently
    pins = {
        'aecornerpin': ('ae_cornerpin.txt', [['Effects', 'Corner Pin #1', c] for c in
                        ('Upper Left #2', 'Upper Right #3', 'Lower Left #4', 'Lower Right #5')]),
        'aepowerpin': ('ae_ccpowerpin.txt', [['Effects', 'CC Power Pin #1', f'CC Power Pin-000{i}']
                       for i in (2, 3, 4, 5)]),
    }
    for table in tables:
        base = os.path.splitext(os.path.basename(table))[0]
        out = os.path.join(work, 'export', base)
        problem = r.convert(table, out, ['-f', 'tsv', '--only', 'aekeyframes,aecornerpin,aepowerpin'])
        width, height, trackers = read_tsv(table)
        for exporter, suffix in [('aekeyframes', 'ae_keyframes.txt')] + [(k, v[0]) for k, v in pins.items()]:
            p = problem
            if not p:
                try:
                    with open(os.path.join(out, f'{base}_{suffix}'), encoding='utf-8') as fh:
                        data = ae_reader.read(fh.read())
                    if exporter == 'aekeyframes':
                        p = check_positions(data, trackers, width, height)
                    else:
                        p = check_pin(data, trackers, height, pins[exporter][1])
                except (OSError, ValueError) as e:
                    p = str(e)
            r.result(f'{exporter} from {base}', p)
    print(f'{r.passed} passed, {r.failed} failed')
    return 1 if r.failed or not r.passed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
