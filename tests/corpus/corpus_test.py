#!/usr/bin/env python3
"""Runs every corpus sample through trackport (--only tsv) and compares the keyframes with
expected/ using the shared compare tool. Error samples must fail with a one-line message.

  corpus_test.py TRACKPORT CORPUS_DIR COMPARE WORK_DIR [IMPORTER...]

Only samples of the named importers run when importers are given (case-insensitive).
Prints one line per failure and "N passed, M failed".
"""
import json, os, shutil, subprocess, sys


def main(argv):
    trackport, corpus, compare, work = argv[1:5]
    only = {name.lower() for name in argv[5:]}
    with open(os.path.join(corpus, 'manifest.json')) as f:
        manifest = json.load(f)
    shutil.rmtree(work, ignore_errors=True)
    passed = failed = 0
    for n, entry in enumerate(manifest):
        if only and entry['importer'].lower() not in only:
            continue
        sample = os.path.join(corpus, entry['sample'])
        out_dir = os.path.join(work, str(n))
        os.makedirs(out_dir)
        cmd = [trackport, '-f', entry['importer'], '--only', 'tsv', '--output-dir', out_dir]
        if entry.get('width_given'):
            cmd += ['-w', str(entry['width_given']), '-h', str(entry['height_given'])]
        cmd.append(sample)
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            print(f"FAIL {entry['sample']}: timed out")
            failed += 1
            continue
        problem = None
        if run.returncode < 0 or run.returncode > 2:
            problem = f'crashed (status {run.returncode}): {run.stderr.strip()[-300:]}'
        elif entry['status'] == 'error':
            lines = run.stderr.strip().splitlines()
            if run.returncode == 0:
                problem = 'succeeded, but no tracker can be recovered from this sample'
            elif len(lines) != 1 or 'tracker' not in lines[0].lower():
                problem = f'expected a one-line "no trackers" message, got {run.stderr!r}'
        elif run.returncode != 0:
            problem = f'failed: {run.stderr.strip()}'
        else:
            base = os.path.splitext(os.path.basename(sample))[0]
            actual = os.path.join(out_dir, base + '_tracks.tsv')
            expected = os.path.join(corpus, entry['expected'])
            cmp = subprocess.run([sys.executable, compare, 'tsv', expected, actual],
                                 capture_output=True, text=True)
            if cmp.returncode != 0:
                problem = 'differs: ' + cmp.stdout.strip().replace('\n', ' ')
            else:
                with open(actual) as f:
                    header = dict(l[2:].rstrip('\n').split('\t', 1) for l in f
                                  if l.startswith('# ') and '\t' in l)
                size = (int(header.get('width', 0)), int(header.get('height', 0)))
                if size != (entry['width'], entry['height']):
                    problem = f"comp size {size}, expected {(entry['width'], entry['height'])}"
        if problem:
            failed += 1
            print(f"FAIL {entry['sample']} ({entry['importer']}): {problem}")
        else:
            passed += 1
            shutil.rmtree(out_dir)
    print(f'{passed} passed, {failed} failed')
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
