// Expected outputs are what Go's text/template (with docker's template
// functions) prints for the same template and data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asStruct, GoTemplate, renderTemplate, sprintf, TemplateError } from './go-template.js';

const inspect = {
  Id: 'abc123',
  Name: '/web',
  State: { Status: 'running', Running: true, Pid: 42, ExitCode: 0 },
  Config: { Env: ['A=1', 'B=2'], Cmd: ['sh', '-c', 'echo hi'], Labels: { 'com.example.tier': 'front', app: 'shop' } },
  NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } },
  Mounts: [] as unknown[],
};

const cases: Array<[string, string, unknown, string]> = [
  ['plain text', 'hello', {}, 'hello'],
  ['field', '{{.Name}}', inspect, '/web'],
  ['nested field', '{{.State.Status}}', inspect, 'running'],
  ['bool and number', '{{.State.Running}} {{.State.Pid}}', inspect, 'true 42'],
  ['dot', '{{.}}', 'x', 'x'],
  ['slice prints like Go', '{{.Config.Cmd}}', inspect, '[sh -c echo hi]'],
  ['map prints sorted like Go', '{{.Config.Labels}}', inspect, 'map[app:shop com.example.tier:front]'],
  ['missing map key', '{{.Nope}}', inspect, '<no value>'],
  ['json of a map: compact, keys sorted as Go marshals a map', '{{json .State}}', inspect, '{"ExitCode":0,"Pid":42,"Running":true,"Status":"running"}'],
  ['json of a struct keeps its field order', '{{json .}}', asStruct({ B: 1, A: { d: 1, c: 2 } }), '{"B":1,"A":{"c":2,"d":1}}'],
  ['json does not escape HTML', '{{json .}}', { a: '<b>&' }, '{"a":"<b>&"}'],
  ['json of a string', '{{json .Name}}', inspect, '"/web"'],
  ['index into map with dots in the key', '{{index .Config.Labels "com.example.tier"}}', inspect, 'front'],
  ['index into slice', '{{index .Config.Cmd 1}}', inspect, '-c'],
  ['nested index', '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}', inspect, '8080'],
  ['index chain', '{{index .NetworkSettings.Ports "80/tcp" 0 "HostPort"}}', inspect, '8080'],
  ['join', '{{join .Config.Env ","}}', inspect, 'A=1,B=2'],
  ['split then index', '{{index (split "a:b:c" ":") 2}}', {}, 'c'],
  ['upper lower title', '{{upper .State.Status}} {{lower "ABC"}} {{title "hello big world"}}', inspect, 'RUNNING abc Hello Big World'],
  ['pipeline into function', '{{.State.Status | upper}}', inspect, 'RUNNING'],
  ['pipeline with argument', '{{"a,b" | split "x,y,z"}}', {}, '[x,y,z]'],
  ['pad and truncate', '[{{pad "x" 1 2}}] {{truncate "abcdef" 3}}', {}, '[ x  ] abc'],
  ['println adds a newline', '{{println .Name}}', inspect, '/web\n'],
  ['println spaces every operand', '{{println "a" "b"}}', {}, 'a b\n'],
  ['print spaces only between non-strings', '{{print "a" "b" 1 2}}', {}, 'ab1 2'],
  ['printf', '{{printf "%s=%d %5s|%-4s|%q %.2f %x" "n" 42 "r" "l" "q" 3.14159 255}}', {}, 'n=42     r|l   |"q" 3.14 ff'],
  ['if true', '{{if .State.Running}}up{{end}}', inspect, 'up'],
  ['if else', '{{if .Missing}}yes{{else}}no{{end}}', inspect, 'no'],
  ['else if', '{{if eq .State.Status "exited"}}E{{else if eq .State.Status "running"}}R{{else}}?{{end}}', inspect, 'R'],
  ['eq with several', '{{if eq .State.Status "paused" "running"}}y{{end}}', inspect, 'y'],
  ['ne lt ge', '{{ne 1 2}} {{lt 1 2}} {{ge "b" "a"}} {{gt 1 2}} {{le 2 2}}', {}, 'true true true false true'],
  ['and or not', '{{and 1 0}} {{or 0 "x"}} {{not .State.Running}} {{and 1 2}}', inspect, '0 x false 2'],
  ['and short-circuits', '{{and false (index .Config.Cmd 99)}}', inspect, 'false'],
  ['len', '{{len .Config.Env}} {{len .Config.Labels}} {{len "héllo"}}', inspect, '2 2 6'],
  ['range over slice', '{{range .Config.Env}}[{{.}}]{{end}}', inspect, '[A=1][B=2]'],
  ['range with index and value', '{{range $i, $e := .Config.Cmd}}{{$i}}:{{$e}} {{end}}', inspect, '0:sh 1:-c 2:echo hi '],
  ['range over map in key order', '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', inspect, 'app=shop;com.example.tier=front;'],
  ['range over ports map of lists', '{{range $p, $b := .NetworkSettings.Ports}}{{$p}}->{{(index $b 0).HostPort}}{{end}}', inspect, '80/tcp->8080'],
  ['range else', '{{range .Mounts}}m{{else}}none{{end}}', inspect, 'none'],
  ['range break and continue', '{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5], '13'],
  ['range over an integer', '{{range 3}}{{.}}{{end}}', {}, '012'],
  ['with', '{{with .State}}{{.Status}}{{end}}', inspect, 'running'],
  ['with else', '{{with .Nope}}x{{else}}empty{{end}}', inspect, 'empty'],
  ['variables and $', '{{$n := .Name}}{{range .Config.Env}}{{$n}}:{{.}} {{end}}{{$.Id}}', inspect, '/web:A=1 /web:B=2 abc123'],
  ['variable assignment', '{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', {}, '2'],
  ['variable field access', '{{$s := .State}}{{$s.Status}}', inspect, 'running'],
  ['trim markers', 'a  {{- "b" -}}  \n c', {}, 'abc'],
  ['comment', 'a{{/* ignored }} */}}b{{- /* trimmed */ -}} c', {}, 'abc'],
  ['string escapes', '{{"tab\\there\\n"}}', {}, 'tab\there\n'],
  ['raw string', '{{`a\\tb`}}', {}, 'a\\tb'],
  ['parenthesised pipeline', '{{(printf "%s-%s" "a" "b") | upper}}', {}, 'A-B'],
  ['numbers', '{{1.5}} {{-3}} {{0x10}} {{1e6}}', {}, '1.5 -3 16 1000000'],
  ['nil prints <nil>', '{{.a}}', { a: null }, '<nil>'],
  ['braces inside strings', '{{"}}"}}', {}, '}}'],
  ['slice function', '{{slice "abcdef" 1 3}} {{slice .Config.Cmd 1}}', inspect, 'bc [-c echo hi]'],
];

for (const [name, tpl, data, want] of cases) {
  test(`template: ${name}`, () => {
    assert.equal(renderTemplate(tpl, data), want);
  });
}

test('methods with arguments, as docker\'s {{.Label "x"}}', () => {
  const row = asStruct({ Names: 'web', Label: (k: unknown) => ({ app: 'shop' } as Record<string, string>)[String(k)] ?? '' });
  assert.equal(renderTemplate('{{.Names}} {{.Label "app"}} [{{.Label "x"}}]', row), 'web shop []');
});

test('an unknown field of a docker object is an error, not <no value>', () => {
  const row = asStruct({ ID: 'x' });
  assert.throws(() => renderTemplate('{{.Nope}}', row), /can't evaluate field Nope/);
});

test('field of nil is an error as in Go', () => {
  assert.throws(() => renderTemplate('{{.a.b}}', { a: null }), /nil pointer evaluating/);
});

const parseErrors: Array<[string, RegExp]> = [
  ['{{.Name', /unclosed action/],
  ['{{if .X}}', /unexpected EOF/],
  ['{{end}}', /unexpected \{\{end\}\}/],
  ['{{nofunc .X}}', /function "nofunc" not defined/],
  ['{{"abc}}', /unterminated quoted string|unclosed action/],
  ['{{break}}', /outside \{\{range\}\}/],
  ['{{(.X}}', /unclosed left paren/],
  ['{{$undefined}}', /undefined variable/],
  ['{{define "x"}}{{end}}', /not supported/],
  ['{{.X | 3}}', /can't give argument to non-function/],
];

for (const [tpl, re] of parseErrors) {
  test(`template error: ${tpl}`, () => {
    assert.throws(() => new GoTemplate(tpl).execute({ X: 1 }), (e: unknown) => e instanceof TemplateError && re.test(e.message));
  });
}

test('index out of range and bad types are errors', () => {
  assert.throws(() => renderTemplate('{{index .a 5}}', { a: [1] }), /index out of range/);
  assert.throws(() => renderTemplate('{{lt 1 "a"}}', {}), /incompatible types/);
  assert.throws(() => renderTemplate('{{range .a}}{{end}}', { a: true }), /range can't iterate/);
});

test('sprintf edge cases', () => {
  assert.equal(sprintf('%d%%', 50), '50%');
  assert.equal(sprintf('%s'), '%!s(MISSING)');
  assert.equal(sprintf('%05d|%t', 42, true), '00042|true');
  assert.equal(sprintf('x', 1), 'x%!(EXTRA 1)');
});

test('a template runs again with fresh variables', () => {
  const t = new GoTemplate('{{$x := .}}{{$x}}');
  assert.equal(t.execute('a'), 'a');
  assert.equal(t.execute('b'), 'b');
});
