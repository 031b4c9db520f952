#!/usr/bin/env python3
"""Exporter agreement and round trips.

  exporters_test.py TRACKPORT CORPUS_DIR COMPARE WORK_DIR

1. parabolic.tsv (1920x1080) into every format, each compared with its ref_* file; the
   corner-pin references made from Flame samples are converted from those samples.
2. Every manifest sample with a "reference" folder into every format, each output
   compared with the reference folder's file of the same name.
3. Round trips: for every format with an importer and an exporter, parabolic.tsv is
   exported, imported back and compared with the original keyframes.
Prints one line per failure and "N passed, M failed".
"""
import json, os, shutil, subprocess, sys

# ref_* file -> (exporter suffix, sample that produced it or None for parabolic.tsv)
PARABOLIC_REFS = {
    'ref_AfterEffects.jsx': 'createNulls.jsx',
    'ref_Maxscript.ms': '3dsmax_nulls.ms',
    'ref_MayaLocators.ma': 'mayaLocators.ma',
    'ref_Mayalive.txt': 'mayalive.txt',
    'ref_NukeCameraTrackerUsertracks.txt': 'nuke_cam_trk_autotracks.txt',
    'ref_NukeScript.nk': 'nuke.nk',
    'ref_PFMatchit.2dt': 'pftrack_2011_pfmatchit.txt',
    'ref_PFTrack.2dt': 'pftrack_v4.2dt',
    'ref_PFTrack5.2dt': 'pftrack_v5.2dt',
    'ref_Ruby.rb': 'tracksperanto_ruby.rb',
    'ref_ShakeText.txt': 'shake_trackers.txt',
    'ref_Syntheyes.txt': 'syntheyes_2dt.txt',
    'ref_XSI.py': 'xsi_nulls.py',
    'ref_boujou.txt': 'boujou_text.txt',
    'ref_equalizer.txt': '3de_v4.txt',
    'ref_equalizer3.txt': '3de_v3.txt',
    'ref_flame.stabilizer': 'flame.stabilizer',
    'ref_flameCornerpin.stabilizer': 'flame_cornerpin.stabilizer',
    'ref_flame_2014.stabilizer': 'flamesmoke2014.stabilizer',
    'ref_matchmover.rz2': 'matchmover.rz2',
}
SAMPLE_REFS = {
    'ref_flame_2014_cornerpin.stabilizer':
        ('flamesmoke_2014_cornerpin.stabilizer', 'flame_stabilizer/stabilizer_2014_ref_for_reexport.stabilizer'),
    'ref_FlameSimpleReorderedCornerpin.stabilizer':
        ('flame_cornerpin.stabilizer', 'flame_stabilizer/FlameStab_Cornerpin_CorrectOrder.stabilizer'),
    'ref_FlameProperlyReorderedCornerpin.stabilizer':
        ('flame_cornerpin.stabilizer', 'flame_stabilizer/FlameStab_Cornerpin_IncorrectOrder.stabilizer'),
}
# Round trips: exporter -> (importer, conventions). The conventions are the reference
# implementation's, which both halves follow keyframe for keyframe:
#   frame: added to every frame on the way back (boujou and PFTrack v4/v5 write the frame
#          as it is and read it as 1-based);
#   dy:    added to y on the way back (boujou writes height - y + 1 and reads height - y - 1);
#   residual: 'keep', 'drop' (the format does not carry it) or a factor; residual_tol where
#          the format rounds it coarsely (PFTrack writes residual / 8 to three places);
#   names: 'keep', or 'order' where the format renames trackers (Flame's tracker1...,
#          SynthEyes' camel case, suffixes for Nuke's track and PFTrack's camera columns).
ROUND_TRIPS = {
    'tsv': ('tsv', dict(tol=1e-5)),
    'equalizer3': ('equalizer3', dict(residual='drop')),
    'equalizer4': ('equalizer4', dict(residual='drop')),
    'boujou': ('boujou', dict(frame=-1, dy=-2.0, residual='drop')),
    'flamestabilizer': ('flamestabilizer', dict(residual='drop', names='order')),
    'matchmover': ('matchmover', dict()),
    'mayalive': ('mayalive', dict(residual=0.1)),
    'nukescript': ('nukescript', dict(residual='drop', names='order')),
    'pftrack4': ('pftrack', dict(frame=-1, residual_tol=0.004)),
    'pftrack5': ('pftrack', dict(frame=-1, names='order', residual_tol=0.004)),
    'pfmatchit': ('pftrack', dict(names='order', residual_tol=0.004)),
    'shaketext': ('shaketext', dict()),
    'syntheyes': ('syntheyes', dict(residual='drop', names='order')),
    # mmSolver .uv and Fusion .setting
    'mmsolveruv1': ('mmsolver', dict(residual='drop')),
    'mmsolveruv5': ('mmsolver', dict(residual='drop')),
    'fusion': ('fusion', dict(residual='drop')),
    # After Effects keyframe data carries no names (layers are numbered, corners named) and
    # no residual; with three trackers the pins write them in the order they came.
    'aekeyframes': ('aekeyframes', dict(residual='drop', names='order')),
    'aecornerpin': ('aekeyframes', dict(residual='drop', names='order')),
    'aepowerpin': ('aekeyframes', dict(residual='drop', names='order')),
    # Tracker4 rows come back as "<node>_<track>"; the residual rides in the error column,
    # which the importer does not read.
    'nuketracker4': ('nukescript', dict(residual='drop', names='order')),
}


def read_keyframes(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith('#') or line.startswith('tracker\t'):
                continue
            name, frame, x, y, residual = line.rstrip('\n').split('\t')
            rows.append((name, int(frame), float(x), float(y), float(residual)))
    return rows


def round_trip_problem(original, back, conv):
    """Compares keyframes read back with the originals under a format's conventions."""
    tol = conv.get('tol', 1e-3)
    exp, got = read_keyframes(original), read_keyframes(back)
    if len(exp) != len(got):
        return f'expected {len(exp)} keyframes, got {len(got)}'
    names = {}
    for i, (e, g) in enumerate(zip(exp, got), 1):
        if conv.get('names', 'keep') == 'keep':
            if e[0] != g[0]:
                return f'row {i}: expected tracker {e[0]!r}, got {g[0]!r}'
        elif names.setdefault(e[0], g[0]) != g[0] or list(names.values()).count(g[0]) > 1:
            return f'row {i}: tracker {e[0]!r} came back as {g[0]!r}, not one tracker for one'
        if e[1] + conv.get('frame', 0) != g[1]:
            return f'row {i}: tracker {e[0]!r} frame {e[1]} came back as frame {g[1]}'
        want_y = e[3] + conv.get('dy', 0.0)
        if abs(e[2] - g[2]) > tol or abs(want_y - g[3]) > tol:
            return f'row {i}: tracker {e[0]!r} frame {e[1]}: expected {e[2]} {want_y}, got {g[2]} {g[3]}'
        residual = conv.get('residual', 'keep')
        want_r = 0.0 if residual == 'drop' else e[4] if residual == 'keep' else e[4] * residual
        if abs(want_r - g[4]) > conv.get('residual_tol', max(tol, 1e-3)):
            return f'row {i}: tracker {e[0]!r} frame {e[1]}: residual expected {want_r} got {g[4]}'
    return None


class Runner:
    def __init__(self, trackport, compare, work):
        self.trackport, self.compare, self.work = trackport, compare, work
        self.passed = self.failed = 0

    def result(self, what, problem):
        if problem:
            self.failed += 1
            print(f'FAIL {what}: {problem}')
        else:
            self.passed += 1

    def convert(self, sample, out_dir, extra):
        os.makedirs(out_dir, exist_ok=True)
        run = subprocess.run([self.trackport, '--output-dir', out_dir] + extra + [sample],
                             capture_output=True, text=True, timeout=300)
        return None if run.returncode == 0 else f'trackport failed: {run.stderr.strip()}'

    def diff(self, mode, ref, actual, tol=None):
        if not os.path.exists(actual):
            return f'{os.path.basename(actual)} was not written'
        cmd = [sys.executable, self.compare, mode, ref, actual]
        if tol is not None:
            cmd += ['--tol', str(tol)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        return None if run.returncode == 0 else run.stdout.strip().replace('\n', ' | ')


def main(argv):
    trackport, corpus, compare, work = argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    r = Runner(trackport, compare, work)
    parabolic_dir = os.path.join(corpus, 'reference', 'parabolic')
    parabolic = os.path.join(parabolic_dir, 'parabolic.tsv')
    with open(os.path.join(corpus, 'manifest.json')) as f:
        manifest = {e['sample']: e for e in json.load(f)}

    def size_args(entry):
        if entry.get('width_given'):
            return ['-f', entry['importer'], '-w', str(entry['width_given']), '-h', str(entry['height_given'])]
        return ['-f', entry['importer']]

    # 1. parabolic references
    out = os.path.join(work, 'parabolic')
    problem = r.convert(parabolic, out, [])
    for ref, suffix in sorted(PARABOLIC_REFS.items()):
        actual = os.path.join(out, 'parabolic_' + suffix)
        r.result(f'parabolic {suffix} vs {ref}', problem or r.diff('text', os.path.join(parabolic_dir, ref), actual))
    for ref, (suffix, sample) in sorted(SAMPLE_REFS.items()):
        entry = manifest['samples/' + sample]
        out = os.path.join(work, 'from_' + os.path.basename(sample))
        problem = r.convert(os.path.join(corpus, entry['sample']), out, size_args(entry))
        base = os.path.splitext(os.path.basename(sample))[0]
        actual = os.path.join(out, f'{base}_{suffix}')
        r.result(f'{sample} {suffix} vs {ref}', problem or r.diff('text', os.path.join(parabolic_dir, ref), actual))

    # 2. per-sample references
    for entry in manifest.values():
        if not entry.get('reference'):
            continue
        ref_dir = os.path.join(corpus, entry['reference'])
        out = os.path.join(work, 'samples', entry['reference'].strip('/').replace('/', '_'))
        problem = r.convert(os.path.join(corpus, entry['sample']), out, size_args(entry))
        for name in sorted(os.listdir(ref_dir)):
            actual = os.path.join(out, name)
            r.result(f"{entry['sample']} -> {name}", problem or r.diff('text', os.path.join(ref_dir, name), actual))

    # 3. round trips through every format that reads what it writes
    for exporter, (importer, conv) in sorted(ROUND_TRIPS.items()):
        what = f'round trip {exporter} -> {importer}'
        step1 = os.path.join(work, 'roundtrip', exporter)
        problem = r.convert(parabolic, step1, ['--only', exporter])
        if not problem:
            written = [f for f in os.listdir(step1)]
            if len(written) != 1:
                problem = f'expected one output, got {written}'
        if not problem:
            step2 = os.path.join(step1, 'back')
            problem = r.convert(os.path.join(step1, written[0]), step2,
                                ['-f', importer, '-w', '1920', '-h', '1080', '--only', 'tsv'])
        if not problem:
            back = [f for f in os.listdir(step2) if f.endswith('_tracks.tsv')]
            problem = round_trip_problem(parabolic, os.path.join(step2, back[0]), conv) if back else 'no tsv written'
        r.result(what, problem)

    print(f'{r.passed} passed, {r.failed} failed')
    return 1 if r.failed or not r.passed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
