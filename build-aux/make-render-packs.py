#!/usr/bin/env python3
# make-render-packs.py: one small battle pack per renderer defect of issue 9, built from
# real answers of the shipped Korean sample pack (data/packs/sample-ko.json, Apache-2.0),
# for build-aux/capture-render-screenshots.sh. A developer tool (not installed).
#
# usage: build-aux/make-render-packs.py OUT_DIR
#
# Copyright 2026 The K-AI Arena authors
# SPDX-License-Identifier: GPL-3.0-or-later
import json, os, re, sys

src = os.path.join(os.path.dirname(__file__), '..', 'data', 'packs', 'sample-ko.json')
out = sys.argv[1]
pack = json.load(open(src, encoding='utf-8'))
by_prompt = {}
for r in pack['responses']:
    by_prompt.setdefault(r['prompt_id'], []).append(r)

# name: a regular expression whose first match shows the defect; each answer is cut to
# start a few lines above its match, so the defect is on screen without scrolling.
tests = {
    'tilde': r'[0-9]~[0-9]',
    'bold-hangul': r'[)"\'.]\*\*[가-힣]',
    'table': r'^\|.*[가-힣].*\|\s*\n\|[-: |]+\|',
    'latex': r'\\\(|\\\[',
    'code': r'```python\n(.*\n)*?.{75,}\n',
    'korean-wrap': r'^[가-힣].{150,}$',
}


def excerpt(text, pattern):
    m = re.search(pattern, text, re.M)
    if m is None:
        return text
    start = text.rfind('\n\n', 0, m.start())
    start = 0 if start < 0 else start + 2
    return text[start:]

os.makedirs(out, exist_ok=True)
for name, test in tests.items():
    chosen = None
    for prompt in pack['prompts']:
        responses = by_prompt.get(prompt['prompt_id'], [])
        hits = [r for r in responses if re.search(test, r['turns'][0], re.M)]
        if hits:
            other = [r for r in responses if r is not hits[0]]
            chosen = (prompt, [hits[0]] + ([hits[1]] if len(hits) > 1 else other[:1]))
            break
    if chosen is None:
        print('no answer for', name, file=sys.stderr)
        continue
    prompt, responses = chosen
    responses = [dict(r, turns=[excerpt(r['turns'][0], test)]) for r in responses]
    models = [m for m in pack['models'] if m['model_id'] in {r['model_id'] for r in responses}]
    small = dict(pack, pack_id='render-' + name, prompts=[prompt], responses=responses,
                 models=models, title={'ko': '렌더링: ' + name, 'en': 'Rendering: ' + name})
    with open(os.path.join(out, name + '.json'), 'w', encoding='utf-8') as f:
        json.dump(small, f, ensure_ascii=False)
    print(name, prompt['prompt_id'], [r['model_id'] for r in responses])

# No answer in the shipped data has the degenerate whitespace the issue reports (tens of
# thousands of spaces inside a table row), so this one is made from a real table answer
# with 30,000 spaces put into one cell: the shape of the reported answer.
table = json.load(open(os.path.join(out, 'table.json'), encoding='utf-8'))
first = table['responses'][0]['turns'][0]
m = re.search(r'^\|\s*\S', first, re.M)
cut = m.end() if m else 0
degenerate = first[:cut] + ' ' * 30000 + first[cut:]
table['responses'][0] = dict(table['responses'][0], turns=[degenerate])
table['pack_id'] = 'render-whitespace'
table['title'] = {'ko': '렌더링: whitespace', 'en': 'Rendering: whitespace'}
with open(os.path.join(out, 'whitespace.json'), 'w', encoding='utf-8') as f:
    json.dump(table, f, ensure_ascii=False)
print('whitespace (synthetic)')
