#!/usr/bin/env python3
"""Writes ruby_fixed.tsv: doubles near decimal ties, with the text Ruby's format("%.Nf")
gives for them, the ground truth test_digits checks the fixed-point writer against.

  make_ruby_table.py [OUTPUT]     (needs `ruby` on the PATH; deterministic)

Rows: for every precision the exporters use and a few more (0..10, 15, 17), every decade
of magnitude from 1e-6 to 1e7 and both signs, decimal ties at the cut (m + 1/2) * 10^-N
as their nearest double and that double moved by 1, 2, 3, 20, 40 and 80 ulps each way
(the wider steps reach the edges of dtoa's rounding band for large values); then powers
of ten and their neighbours (where dtoa's log10 estimate is one too high), exact binary
ties, zeros, extremes and hand-picked values from exporter output.
"""
import math, os, random, struct, subprocess, sys
from decimal import Decimal

PRECISIONS = list(range(0, 11)) + [15, 17]
STEPS = [0, 1, -1, 2, -2, 3, -3, 20, -20, 40, -40, 80, -80]


def bits(x):
    return struct.unpack('<Q', struct.pack('<d', x))[0]


def step(x, n):
    toward = math.inf if n > 0 else -math.inf
    for _ in range(abs(n)):
        x = math.nextafter(x, toward)
    return x


def tie(x, n):
    """The decimal tie at n places just above |x|, as the nearest double, signed as x."""
    m = math.floor(abs(x) * 10 ** n)
    t = float(Decimal(m) / Decimal(10) ** n + Decimal(5) / Decimal(10) ** (n + 1))
    return math.copysign(t, x)


def rows():
    rnd = random.Random(20260412)
    for n in PRECISIONS:
        for e in range(-6, 8):
            for sign in (1, -1):
                t = tie(sign * rnd.uniform(1, 10) * 10.0 ** e, n)
                for s in STEPS:
                    yield step(t, s), n
        for j in range(-8, 9):
            p = 10.0 ** j
            for s in (0, 1, -1, 2, -2):
                yield step(p, s), n
                yield -step(p, s), n
        for v in (0.0, -0.0, 5e-324, 1e-300, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e16,
                  123456789012345.67, 9007199254740993.0, 1e17, 1e20, 1.7976931348623157e308):
            yield v, n
    # Values from exporter output: residual / 8 (PFTrack), 1 - residual (Shake text),
    # the After Effects y flip, Maya Live aspect units.
    picked = [((1 - 0.852) / 8, 3), ((1 - 0.868) / 8, 3), (1.0005, 3), (0.0175, 3),
              (9.9995, 3), (-99.5, 0), (-0.0015, 3), (-0.0001, 3), (874.8, 15), (1e30, 2),
              (0.0035, 3), (1080 - 540.123455, 5), (1 - 0.9995, 3), (16 / 9, 2),
              (298674.95074806502, 8), (-29362456.258089498, 6), (0.1 + 0.2, 17)]
    for v, n in picked:
        yield v, n


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'ruby_fixed.tsv')
    seen, table = set(), []
    for v, n in rows():
        key = (bits(v), n)
        if key not in seen:
            seen.add(key)
            table.append(key)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ruby_format.rb')
    text = ''.join(f'{b:016x} {n}\n' for b, n in table)
    ruby = subprocess.run(['ruby', script], input=text, capture_output=True, text=True, check=True)
    version = subprocess.run(['ruby', '-e', 'print RUBY_VERSION'], capture_output=True, text=True,
                             check=True).stdout
    answers = ruby.stdout.split('\n')
    with open(out, 'w') as f:
        f.write(f'# format("%.Nf") as Ruby {version} writes it; made by make_ruby_table.py.\n')
        f.write('# bits (IEEE-754 double, hex)\tN\tRuby\tvalue (%.17g, for reading)\n')
        for (b, n), answer in zip(table, answers):
            v = struct.unpack('<d', struct.pack('<Q', b))[0]
            f.write(f'{b:016x}\t{n}\t{answer}\t{v:.17g}\n')
    print(f'{len(table)} rows written to {out}')


if __name__ == '__main__':
    main()
