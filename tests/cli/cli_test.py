#!/usr/bin/env python3
"""cli_test.py — the trackport command line in Tracksperanto's syntax, run from a table.

Each row is a command line as a Tracksperanto user or script writes it (short letters, the
letters its OptionParser derives from multi-letter declarations, long prefixes, attached
values, '=' values, '--', -o as --only) with what must happen: the exit status, words the
message must hold, which files appear, and what the tsv output holds. Rows that edit are
checked against the same edit spelt in full long options (the same bytes out) and against
the file without edits (something changed), so every spelling is shown to mean its flag.

Usage: cli_test.py TRACKPORT WORKDIR
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from harness import Checks  # noqa: E402

# Two trackers on a 100x50 comp, frames 0-based; "Track  two" holds a run of spaces.
INPUT = ('# width\t100\n# height\t50\ntracker\tframe\tx\ty\tresidual\n'
         'A\t3\t10\t20\t0.5\n'
         'A\t5\t11\t21\t0\n'
         'Track  two\t4\t1.25\t2\t0.25\n')

# (Tracksperanto spelling, the same in trackport's long options)
SAME_AS = [
    ('-x 5', '--xshift 5'),
    ('-x5', '--xshift 5'),
    ('-xm 5', '--xshift 5'),
    ('-y -2', '--yshift -2'),
    ('-ym -2', '--yshift -2'),
    ('-xs 2', '--xscale 2'),
    ('-ys 3', '--yscale 3'),
    ('-s 3', '--slip 3'),
    ('-s3', '--slip 3'),
    ('-s -2', '--slip -2'),
    ('-s -4 -t', '--slip -4 --trim'),
    ('-s -4 -gt', '--slip -4 --golden --trim'),
    ('-g', '--golden'),
    ('-m 2', '--min-length 2'),
    ('-m2', '--min-length 2'),
    ('-p shot', '--prefix shot'),
    ('-pshot', '--prefix shot'),
    ('-a', '--autoslip'),
    ('-as', '--autoslip'),
    ('-c 10,0,0,5', '--crop 10,0,0,5'),
    ('-crop 10,0,0,5', '--crop 10,0,0,5'),
    ('-c10,0,0,5', '--crop 10,0,0,5'),
    ('-pad 0.1,0,0,0.2', '--pad 0.1,0,0,0.2'),
    ('--pad 0.1', '--pad 0.1,0,0,0'),
    ('-c 10', '--crop 10,0,0,0'),
    ('-u 0.05', '--undistort 0.05'),
    ('-d 0.05,0.01', '--distort 0.05,0.01'),
    ('-r 100', '--reformat-y 100'),
    ('-ry 100', '--reformat-y 100'),
    ('-rx 200', '--reformat-x 200'),
    ('--xsc 2', '--xscale 2'),
    ('--xsh 2', '--xshift 2'),
    ('--ysc 2', '--yscale 2'),
    ('--ysh 2', '--yshift 2'),
    ('--sl 3', '--slip 3'),
    ('--sl=3', '--slip 3'),
    ('--s 3', '--slip 3'),
    ('--slip=-3', '--slip -3'),
    ('--go', '--golden'),
    ('--au', '--autoslip'),
    ('--le', '--lerp'),
    ('--fli', '--flip'),
    ('--flo', '--flop'),
    ('--cr 10,0,0,5', '--crop 10,0,0,5'),
    ('--pa 0.1,0,0,0.2', '--pad 0.1,0,0,0.2'),
    ('--pr shot', '--prefix shot'),
    ('--mi 2', '--min-length 2'),
    ('--u 0.05', '--undistort 0.05'),
    ('--di 0.05', '--distort 0.05'),
    ('--reformat-x=200', '--reformat-x 200'),
    ('--XSCALE 2', '--xscale 2'),
    ('--Slip 3', '--slip 3'),
]

# Rows: (arguments, exit status, words the stderr must hold, words the stdout must hold,
#        files that must exist afterwards (None: do not look), tsv text the output must hold)
TSV = 'in_tracks.tsv'
ROWS = [
    # -o is --only, in every spelling
    ('-o tsv in.tsv', 0, [], ['Found and converted 2 trackers'], [TSV], None),
    ('-o TSV in.tsv', 0, [], [], [TSV], None),
    ('-otsv in.tsv', 0, [], [], [TSV], None),
    ('--only tsv in.tsv', 0, [], [], [TSV], None),
    ('--on tsv in.tsv', 0, [], [], [TSV], None),
    ('--o tsv in.tsv', 0, [], [], [TSV], None),
    ('--only=tsv in.tsv', 0, [], [], [TSV], None),
    ('in.tsv -o tsv', 0, [], [], [TSV], None),
    ('-o tsv,shaketext in.tsv', 0, [], [], [TSV, 'in_shake_trackers.txt'], None),
    ('-f tsv -o tsv in.tsv', 0, [], [], [TSV], None),
    ('-ftsv -otsv in.tsv', 0, [], [], [TSV], None),
    ('--fr tsv --on tsv in.tsv', 0, [], [], [TSV], None),
    ('--from=TSV -o tsv in.tsv', 0, [], [], [TSV], None),
    # sizes: attached, separate, prefixes, '='
    ('-w100 -h50 -o tsv nosize.tsv', 0, [], [], ['nosize_tracks.tsv'], None),
    ('-w 100 -h 50 -o tsv nosize.tsv', 0, [], [], ['nosize_tracks.tsv'], None),
    ('--wid 100 --hei 50 -o tsv nosize.tsv', 0, [], [], ['nosize_tracks.tsv'], None),
    ('--width=100 --height=50 -o tsv nosize.tsv', 0, [], [], ['nosize_tracks.tsv'], None),
    ('--he 50 --wi 100 -o tsv nosize.tsv', 0, [], [], ['nosize_tracks.tsv'], None),
    ('-o tsv nosize.tsv', 1, ['Width and height'], [], [], None),
    ('-w 100 -o tsv nosize.tsv', 1, ['Width and height'], [], [], None),
    ('--wid 1920 -o tsv in.tsv', 0, [], [], [TSV], '# width\t100\n'),
    # '--' ends the options: a file named like an option
    ('-o tsv -- -x.tsv', 0, [], [], ['-x_tracks.tsv'], None),
    ('-o tsv -- in.tsv', 0, [], [], [TSV], None),
    # the output folder moved to a long option of its own
    ('-o tsv --output-dir made in.tsv', 0, [], [], ['made/' + TSV], None),
    ('-o tsv --out made in.tsv', 0, [], [], ['made/' + TSV], None),
    ('-o tsv --output-dir=made in.tsv', 0, [], [], ['made/' + TSV], None),
    # names: a run of whitespace is one '_'
    ('-o tsv in.tsv', 0, [], [], [TSV], 'Track_two\t4\t'),
    ('-o tsv -p "my pre" in.tsv', 0, [], [], [TSV], 'my_pre_Track_two\t4\t'),
    ('-o tsv -p a -p b in.tsv', 0, [], [], [TSV], 'b_a_A\t3\t'),
    # repeated edits on the command line add up
    ('-o tsv -s 5 -s 3 in.tsv', 0, [], [], [TSV], 'A\t11\t10.000000\t20.000000\t0.500000'),
    ('-o tsv --flip --flip in.tsv', 0, [], [], [TSV], 'A\t3\t10.000000\t20.000000\t1.000000'),
    ('-o tsv -x 10 -xs 2 -x 5 in.tsv', 0, [], [], [TSV], 'A\t3\t45.000000\t20.000000'),
    # information
    ('--list-exporters', 0, ['The following export modules are available:', '\t"tsv" - '], [],
     None, None),
    ('--list-importers', 0, ['The following import modules are available:', '\t"shaketext" - '],
     [], None, None),
    ('--list-e', 0, ['The following export modules are available:'], [], None, None),
    ('--formats', 0, [], ['tsv - ', '(tracks.tsv)'], None, None),
    ('--help', 0, [], ['--output-dir', '-o, --only', '-x, --xshift', '-r, --reformat-y'], None,
     None),
    ('--hel', 0, [], ['--output-dir'], None, None),
    ('--version', 0, [], ['trackport'], None, None),
    ('-v', 0, [], ['trackport'], None, None),
    ('--trace -o tsv in.tsv', 0, [], ['[100 -> '], [TSV], None),
    # errors: one line, status 1, nothing written
    ('-zz in.tsv', 1, ['unknown option -zz'], [], [], None),
    ('--zz in.tsv', 1, ['unknown option --zz'], [], [], None),
    ('-e in.tsv', 1, ['unknown option -e'], [], [], None),
    ('-V in.tsv', 1, ['unknown option -V'], [], [], None),
    ('-W 100 in.tsv', 1, ['unknown option -W'], [], [], None),
    ('-t5 in.tsv', 1, ['unknown option -5'], [], [], None),
    ('-l in.tsv', 1, ['ambiguous option -l', '--lerp', '--list-exporters', '--list-importers'],
     [], [], None),
    ('--re 100 in.tsv', 1, ['ambiguous option --re', '--reformat-x, --reformat-y'], [], [], None),
    ('--x 1 in.tsv', 1, ['ambiguous option --x', '--xscale, --xshift'], [], [], None),
    ('--fl in.tsv', 1, ['ambiguous option --fl', '--flip, --flop'], [], [], None),
    ('--tr in.tsv', 1, ['ambiguous option --tr', '--trim', '--trace'], [], [], None),
    ('--p x in.tsv', 1, ['ambiguous option --p', '--pad, --prefix'], [], [], None),
    ('in.tsv -h', 1, ['-h needs a value'], [], [], None),
    ('in.tsv --width', 1, ['--width needs a value'], [], [], None),
    ('--lerp=1 in.tsv', 1, ['--lerp takes no value'], [], [], None),
    ('-w abc -h 5 nosize.tsv', 1, ['width must be a whole number'], [], [], None),
    ('-s 1.5 in.tsv', 1, ['--slip needs a whole number'], [], [], None),
    ('-xs 2x in.tsv', 1, ['--xscale needs a number'], [], [], None),
    ('--code plugin.rb in.tsv', 1, ['--code', 'Ruby'], [], [], None),
    ('in.tsv other.tsv', 1, ['more than one input file'], [], [], None),
    ('-o tsv', 1, ['no input file'], [], [], None),
    ('-o "" in.tsv', 1, ['unknown exporter ""', '\t"tsv" - '], [], [], None),
    ('-o nope in.tsv', 1, ['unknown exporter "nope"', '\t"tsv" - '], [], [], None),
    ('-f nope in.tsv', 1, ['unknown importer "nope"', '\t"tsv" - '], [], [], None),
    ('-o tsv missing.tsv', 1, ['cannot read the input file'], [], [], None),
]


def split(args):
    """Splits a row's arguments like a shell, honouring double quotes."""
    out, cur, quoted, any_ = [], '', False, False
    for ch in args:
        if ch == '"':
            quoted = not quoted
            any_ = True
        elif ch == ' ' and not quoted:
            if cur or any_:
                out.append(cur)
            cur, any_ = '', False
        else:
            cur += ch
    if cur or any_:
        out.append(cur)
    return out


class Runner:
    def __init__(self, trackport, work):
        self.trackport = trackport
        self.work = work
        self.n = 0

    def fresh(self):
        """A new folder holding the inputs; returns its path."""
        self.n += 1
        d = os.path.join(self.work, 'case%03d' % self.n)
        os.makedirs(d)
        with open(os.path.join(d, 'in.tsv'), 'w') as f:
            f.write(INPUT)
        with open(os.path.join(d, '-x.tsv'), 'w') as f:
            f.write(INPUT)
        with open(os.path.join(d, 'other.tsv'), 'w') as f:
            f.write(INPUT)
        with open(os.path.join(d, 'nosize.tsv'), 'w') as f:
            f.write(INPUT.split('\n', 2)[2])
        return d

    def run(self, args):
        """Runs trackport with args in a fresh folder: (folder, status, stdout, stderr)."""
        d = self.fresh()
        r = subprocess.run([self.trackport] + args, cwd=d, capture_output=True, text=True,
                           timeout=60)
        return d, r.returncode, r.stdout, r.stderr

    def output(self, args):
        """The tsv written for args plus -o tsv, or None."""
        d, status, _, err = self.run(['-o', 'tsv'] + args + ['in.tsv'])
        if status != 0:
            return None, err
        with open(os.path.join(d, TSV)) as f:
            return f.read(), err


def made_files(d):
    inputs = {'in.tsv', '-x.tsv', 'other.tsv', 'nosize.tsv'}
    found = set()
    for root, _, files in os.walk(d):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), d)
            if rel not in inputs:
                found.add(rel)
    return found


def main():
    trackport, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t = Checks()
    r = Runner(trackport, work)

    for args, status, err_words, out_words, files, tsv in ROWS:
        d, got, out, err = r.run(split(args))
        t.check(got == status, '%s: exit status %d, wanted %d (%s)' % (args, got, status,
                                                                    err.strip()[:200]))
        for w in err_words:
            t.check(w in err, '%s: stderr lacks %r: %r' % (args, w, err[:300]))
        for w in out_words:
            t.check(w in out, '%s: stdout lacks %r: %r' % (args, w, out[:300]))
        if status != 0:
            t.check(len(err.strip().split('\n')) == 1 or err_words[-1].startswith('\t'),
                    '%s: the error is not one line: %r' % (args, err))
            t.check('more than one input file' not in err or 'other.tsv' in args,
                    '%s: a flag taken for an input file: %r' % (args, err))
        if files is not None:
            made = made_files(d)
            t.check(made == set(files), '%s: wrote %s, wanted %s' % (args, sorted(made),
                                                                  sorted(files)))
        if tsv is not None:
            path = os.path.join(d, files[0])
            text = open(path).read() if os.path.exists(path) else ''
            t.check(tsv in text, '%s: output lacks %r:\n%s' % (args, tsv, text))

    # Without -o every exporter writes, next to the input.
    d, got, _, err = r.run(['in.tsv'])
    made = made_files(d)
    t.check(got == 0 and len(made) >= 20 and TSV in made,
            'no -o: status %d, %d files (%s)' % (got, len(made), err.strip()[:200]))

    plain, _ = r.output([])
    for short, long_ in SAME_AS:
        got, err = r.output(split(short))
        want, _ = r.output(split(long_))
        t.check(got is not None and got == want,
                '%s gives another file than %s: %s\n%s\n%s' % (short, long_, err.strip(), got,
                                                                want))
        t.check(got != plain, '%s changed nothing' % short)

    # Names in the Ruby script are quoted as Ruby's inspect quotes the reference's names
    # (binary strings): "\xC3\xA9" for UTF-8, "\e", "\#{"; the whitespace run is one '_'.
    d = r.fresh()
    with open(os.path.join(d, 'names.tsv'), 'wb') as f:
        f.write(b'# width\t100\n# height\t50\ntracker\tframe\tx\ty\tresidual\n'
                b'Tr\xc3\xa9\x1bck  #{x}\t1\t1\t1\t0\n')
    run = subprocess.run([trackport, '-o', 'ruby', 'names.tsv'], cwd=d, capture_output=True)
    script = os.path.join(d, 'names_tracksperanto_ruby.rb')
    text = open(script, 'rb').read() if os.path.exists(script) else b''
    t.check(run.returncode == 0 and b':name => "Tr\\xC3\\xA9\\eck_\\#{x}"' in text,
            'Ruby names as Ruby inspect writes them: %r %r' % (run.stderr, text[:300]))

    shutil.rmtree(work, ignore_errors=True)
    return t.summary()


if __name__ == '__main__':
    sys.exit(main())
