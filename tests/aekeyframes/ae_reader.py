#!/usr/bin/env python3
"""An independent reader of After Effects keyframe data, written from the public description of
the clipboard text (After Effects' own copies, Mocha's exports, the ae-keyframes parser's notes),
not from trackport's C importer. It checks the text is well formed and returns its parts:

    Adobe After Effects <version> Keyframe Data      first line
    <TAB>Key<TAB>Value                                header (Units Per Second, Source Width...)
    [Layer]                                           a new layer (After Effects 9.0+)
    Group<TAB>Property[<TAB>Parameter]                block header, not indented
    <TAB>Frame<TAB>X pixels<TAB>Y pixels[<TAB>Z...]   column labels
    <TAB>frame<TAB>value...                           one row a keyframe ("" frame: a constant)
    End of Keyframe Data

read(text) -> dict(version, header{key: value}, blocks[dict(layer, path[], labels[], rows[(frame|None, [values])])], ended)
Raises ValueError with a line number when the text breaks that grammar.
"""
import re, sys

SIGNATURE = re.compile(r'^Adobe After Effects (\d+(?:\.\d+)?) Keyframe Data$')


def number(text, where):
    t = text.strip()
    if ',' in t and '.' not in t:
        t = t.replace(',', '.')   # a locale's decimal comma
    try:
        return float(t)
    except ValueError:
        raise ValueError(f'{where}: {text!r} is not a number') from None


def fields(line):
    """Tab-separated fields; where a paste turned tabs into runs of spaces, split on those."""
    if '\t' in line:
        return [f.strip() for f in line.split('\t')]
    return [f for f in re.split(r' {2,}', line.strip())]


def read(text):
    lines = text.lstrip('\ufeff').replace('\r\n', '\n').replace('\r', '\n').split('\n')
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        raise ValueError('empty text')
    m = SIGNATURE.match(lines[i].strip())
    if not m:
        raise ValueError(f'line {i + 1}: not After Effects keyframe data')
    out = dict(version=m.group(1), header={}, blocks=[], ended=False)
    layer = 0
    block = None
    for n, raw in enumerate(lines[i + 1:], i + 2):
        if not raw.strip():
            continue
        indented = raw[0] in ' \t'
        f = [x for x in fields(raw) if x != ''] if not raw.startswith('\t\t') else None
        if not indented and not re.match(r'^[-+.\d]', raw):
            if raw.strip() == 'End of Keyframe Data':
                out['ended'] = True
                break
            if raw.strip() == 'Layer':
                layer += 1
                block = None
                continue
            block = dict(layer=layer, path=[x for x in fields(raw) if x], labels=None, rows=[],
                         line=n)
            out['blocks'].append(block)
            continue
        if block is None:
            kv = fields(raw)
            kv = [x for x in kv if x]
            if len(kv) != 2:
                raise ValueError(f'line {n}: a header line is "key<TAB>value"')
            out['header'][kv[0]] = kv[1]
            continue
        if block['labels'] is None:
            block['labels'] = [x for x in fields(raw) if x]
            if block['labels'][0] != 'Frame':
                raise ValueError(f'line {n}: the column labels begin with "Frame"')
            continue
        if f is None:   # an empty frame column: the property's constant value
            values = [number(x, f'line {n}') for x in raw.split('\t')[2:] if x.strip()]
            block['rows'].append((None, values))
            continue
        if len(f) != len(block['labels']):
            raise ValueError(f'line {n}: {len(f)} values under {len(block["labels"])} labels')
        block['rows'].append((number(f[0], f'line {n}'), [number(x, f'line {n}') for x in f[1:]]))
    return out


def main(argv):
    for path in argv[1:]:
        with open(path, encoding='utf-8') as fh:
            data = read(fh.read())
        print(f'{path}: version {data["version"]}, {len(data["blocks"])} blocks,'
              f' {"ended" if data["ended"] else "no End line"}')
        for b in data['blocks']:
            print(f'  layer {b["layer"]} {" / ".join(b["path"])}: {len(b["rows"])} rows')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
