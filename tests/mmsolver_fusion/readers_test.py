#!/usr/bin/env python3
"""mmSolver .uv and Fusion .setting through trackport's CLI, checked by readers of their own.

  readers_test.py TRACKPORT LUA WORK_DIR

1. Every file under samples/ is converted to tsv and compared with expected/<name>.tsv
   (written by hand from the public descriptions of the formats).
2. A tracker table with awkward names, gaps and off-image points is exported to the
   mmSolver v1 and v5 files and to the Fusion setting, and each output is read by a reader
   that is not trackport's: the v1 text by a parser that follows mmSolver's own, the v5
   JSON by Python's json module checked against exactly the keys mmSolver documents for
   version 5, the setting by Lua (fusion_load.lua, which defines Fusion's constructors and
   loads the file as a table). Every reader must find the original keyframes.
3. CRLF line ends, sizes from the file or from the user, and clear refusals of broken input.
Prints one line per failure and "N passed, M failed".
"""
import json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTH, HEIGHT = 1920, 1080

# Samples without a size of their own are read at this size.
SAMPLE_SIZE = {'v1_two_points.uv': (1000, 500), 'v2_pos.uv': (1000, 500),
               'v3_dist.uv': (1000, 500), 'xypath_trackers.setting': (1000, 500)}

SOURCE_ROWS = [
    ('Plain', 0, 10.0, 20.0), ('Plain', 1, 11.5, 21.25), ('Plain', 5, 15.0, 25.0),
    ('Quote"and\\slash', 3, -40.125, 2000.75), ('Quote"and\\slash', 4, 960.0, 540.0),
    ('Été_ünïcode', 100, 1919.5, 0.5),
    ('Single', 7, 0.0, 1080.0),
]

V5_KEYS = {'version', 'num_points', 'is_undistorted', 'scene', 'point_group', 'points', 'camera'}
V5_POINT_KEYS = {'name', 'id', 'set_name', 'per_frame', '3d'}
V5_FRAME_KEYS = {'frame', 'pos_dist', 'pos', 'weight'}
V5_3D_KEYS = {'x', 'y', 'z', 'x_lock', 'y_lock', 'z_lock'}
V5_CAMERA_KEYS = {'resolution', 'film_back_cm', 'lens_center_offset_cm', 'per_frame'}


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, problem):
        if problem:
            self.failed += 1
            print(f'FAIL {what}: {problem}')
        else:
            self.passed += 1


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def convert(trackport, src, out_dir, extra=()):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    p = run([trackport, '--output-dir', out_dir, *extra, src])
    return p, out_dir


def tsv_rows(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or line.startswith('tracker\t') or not line.strip():
                continue
            name, frame, x, y, _ = line.rstrip('\n').split('\t')
            rows.append((name, int(frame), float(x), float(y)))
    return rows


def same_rows(expected, got, tol=1e-6):
    if len(expected) != len(got):
        return f'{len(expected)} keyframes expected, {len(got)} read'
    for e, g in zip(expected, got):
        if e[0] != g[0] or e[1] != g[1] or abs(e[2] - g[2]) > tol or abs(e[3] - g[3]) > tol:
            return f'expected {e}, read {g}'
    return None


def normalised(rows, frame_shift):
    return [(n, f + frame_shift, x / WIDTH, y / HEIGHT) for n, f, x, y in rows]


def read_uv1(path):
    """mmSolver's version 1 parser, rewritten: count, then name, count, rows."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    rows, idx = [], 1
    for _ in range(int(lines[0])):
        name = lines[idx].strip()
        idx += 1
        frames = int(lines[idx])
        for _ in range(frames):
            idx += 1
            parts = lines[idx].split()
            if len(parts) != 4:
                raise ValueError(f'line {idx + 1}: not four numbers')
            if float(parts[3]) != 1.0:
                raise ValueError('weight is not 1')
            rows.append((name, int(parts[0]), float(parts[1]), float(parts[2])))
        idx += 1
    if any(l.strip() for l in lines[idx:]):
        raise ValueError('text after the last point')
    return rows


def check_uv5(path):
    """Returns (rows, problem) for a version 5 file, checking exactly the documented keys."""
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    if set(data) != V5_KEYS:
        return None, f'top-level keys {sorted(data)}'
    if data['version'] != 5 or data['is_undistorted'] is not None:
        return None, 'version or is_undistorted'
    if set(data['scene']) != {'transform'} or len(data['scene']['transform']) != 16:
        return None, 'scene'
    pg = data['point_group']
    if set(pg) != {'name', 'type', 'transform'} or pg['type'] not in ('CAMERA', 'OBJECT', 'MOCAP'):
        return None, 'point_group'
    cam = data['camera']
    if set(cam) != V5_CAMERA_KEYS or cam['resolution'] != [WIDTH, HEIGHT]:
        return None, f'camera {cam}'
    if len(cam['film_back_cm']) != 2 or len(cam['lens_center_offset_cm']) != 2:
        return None, 'camera film back or lens offset'
    if data['num_points'] != len(data['points']):
        return None, 'num_points'
    rows = []
    for p in data['points']:
        if set(p) != V5_POINT_KEYS or set(p['3d']) != V5_3D_KEYS:
            return None, f'point keys {sorted(p)}'
        if not isinstance(p['name'], str):
            return None, 'name is not a string'
        for fr in p['per_frame']:
            if set(fr) != V5_FRAME_KEYS or not isinstance(fr['frame'], int):
                return None, f'per_frame keys {sorted(fr)}'
            if fr['pos'] != fr['pos_dist'] or len(fr['pos']) != 2 or fr['weight'] != 1.0:
                return None, f'frame {fr}'
            rows.append((p['name'], fr['frame'], fr['pos_dist'][0], fr['pos_dist'][1]))
    return rows, None


def main(argv):
    trackport, lua, work = argv[1], argv[2], argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    r = Results()

    # 1. samples against their expected tables
    samples = os.path.join(HERE, 'samples')
    for name in sorted(os.listdir(samples)):
        size = SAMPLE_SIZE.get(name)
        extra = ['--only', 'tsv'] + (['-w', str(size[0]), '-h', str(size[1])] if size else [])
        p, out = convert(trackport, os.path.join(samples, name), os.path.join(work, 'samples', name), extra)
        expected = os.path.join(HERE, 'expected', os.path.splitext(name)[0] + '.tsv')
        outs = os.listdir(out)
        if p.returncode != 0 or len(outs) != 1:
            r.check(f'sample {name}', f'exit {p.returncode}: {p.stderr.strip()}')
            continue
        with open(os.path.join(out, outs[0]), 'rb') as a, open(expected, 'rb') as b:
            r.check(f'sample {name}', None if a.read() == b.read() else 'differs from ' + expected)
        if size:  # a file without its own size is refused without one, with a clear message
            p, _ = convert(trackport, os.path.join(samples, name), os.path.join(work, 'nosize'), ['--only', 'tsv'])
            r.check(f'sample {name} without a size',
                    None if p.returncode == 1 and 'width and height' in p.stderr else p.stderr)

    # 2. exporters read by independent readers
    src = os.path.join(work, 'source.tsv')
    with open(src, 'w', encoding='utf-8') as f:
        f.write(f'# width\t{WIDTH}\n# height\t{HEIGHT}\ntracker\tframe\tx\ty\tresidual\n')
        for n, fr, x, y in SOURCE_ROWS:
            f.write(f'{n}\t{fr}\t{x}\t{y}\t0.25\n')
    p, out = convert(trackport, src, os.path.join(work, 'export'),
                     ['--only', 'mmsolveruv1,mmsolveruv5,fusion'])
    r.check('export', None if p.returncode == 0 else p.stderr)
    try:
        r.check('uv v1 read by a parser of mmSolver\'s rules',
                same_rows(normalised(SOURCE_ROWS, 1), read_uv1(os.path.join(out, 'source_mmsolver_v1.uv')), 1e-12))
    except (ValueError, IndexError, OSError) as e:
        r.check('uv v1 read by a parser of mmSolver\'s rules', str(e))
    try:
        rows, problem = check_uv5(os.path.join(out, 'source_mmsolver_v5.uv'))
        r.check('uv v5 JSON has exactly the documented keys', problem)
        if rows is not None:
            r.check('uv v5 JSON positions', same_rows(normalised(SOURCE_ROWS, 1), rows, 1e-12))
    except (ValueError, OSError) as e:
        r.check('uv v5 JSON has exactly the documented keys', str(e))
    setting = os.path.join(out, 'source_fusion_tracker.setting')
    p = run([lua, os.path.join(HERE, 'fusion_load.lua'), setting])
    if p.returncode != 0:
        r.check('setting loads as a Lua table', p.stderr.strip())
    else:
        r.check('setting loads as a Lua table', None)
        rows = []
        for line in p.stdout.splitlines():
            n, fr, x, y = line.split('\t')
            rows.append((n, int(fr), float(x), float(y)))
        r.check('setting keyframes read by Lua', same_rows(normalised(SOURCE_ROWS, 0), rows, 1e-12))

    # Round trips: each export imported back (the files carry their size) equals the source.
    for name in ('source_mmsolver_v1.uv', 'source_mmsolver_v5.uv', 'source_fusion_tracker.setting'):
        extra = ['--only', 'tsv'] + (['-w', str(WIDTH), '-h', str(HEIGHT)] if 'v1' in name else [])
        p, back = convert(trackport, os.path.join(out, name), os.path.join(work, 'back', name), extra)
        outs = os.listdir(back) if p.returncode == 0 else []
        shift = 0
        problem = p.stderr.strip() if p.returncode else None
        if not problem:
            problem = same_rows([(n, f + shift, x, y) for n, f, x, y in SOURCE_ROWS],
                                tsv_rows(os.path.join(back, outs[0])), 1e-9)
        r.check(f'round trip {name}', problem)

    # 3. CRLF files read as LF ones; broken files refused with a sentence and exit status 1.
    for name in ('v1_two_points.uv', 'v5_scene.uv', 'xypath_trackers.setting'):
        with open(os.path.join(samples, name), 'rb') as f:
            data = f.read().replace(b'\n', b'\r\n')
        crlf = os.path.join(work, 'crlf_' + name)
        with open(crlf, 'wb') as f:
            f.write(data)
        size = SAMPLE_SIZE.get(name)
        extra = ['--only', 'tsv'] + (['-w', str(size[0]), '-h', str(size[1])] if size else [])
        p, out = convert(trackport, crlf, os.path.join(work, 'crlf', name), extra)
        expected = os.path.join(HERE, 'expected', os.path.splitext(name)[0] + '.tsv')
        problem = p.stderr.strip() if p.returncode else None
        if not problem:
            problem = same_rows(tsv_rows(expected), tsv_rows(os.path.join(out, os.listdir(out)[0])), 0)
        r.check(f'CRLF {name}', problem)
    broken = {
        'cut.uv': ('{"version": 5, "points": [{"name": "a", "per_frame": [', 'not valid JSON'),
        'v9.uv': ('{"version": 9, "points": []}', 'other than 2, 3, 4 or 5'),
        'count.uv': ('3\nA\n1\n1 0.5 0.5 1\n', 'after 1 of the 3 points'),
        'row.uv': ('1\nA\n1\n1 0.5 x 1\n', 'Line 4'),
        'nopos.uv': ('{"version": 3, "points": [{"name": "a", "per_frame": [{"frame": 1}]}]}',
                     'neither "pos_dist" nor "pos"'),
        'open.setting': ('{ Tools = ordered() { T = Tracker { Inputs = { ', 'not closed'),
        'poly.setting': ('{ Tools = ordered() { T = Tracker { Inputs = { TrackedCenter1 = Input '
                         '{ SourceOp = "P", Source = "Position" } } }, P = PolyPath { } } }', 'PolyPath'),
    }
    for name, (text, needle) in sorted(broken.items()):
        path = os.path.join(work, name)
        with open(path, 'w') as f:
            f.write(text)
        p, out = convert(trackport, path, os.path.join(work, 'broken', name), ['-w', '100', '-h', '100'])
        ok = p.returncode == 1 and needle in p.stderr and len(p.stderr.strip().splitlines()) == 1 \
            and not os.listdir(out)
        r.check(f'broken {name}', None if ok else f'exit {p.returncode}: {p.stderr.strip()!r}')

    print(f'{r.passed} passed, {r.failed} failed')
    return 1 if r.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
