package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// summaryJSON is what `onepipe run --output json` printed for tornado.
const summaryJSON = `{
  "version": "",
  "environment": "dev",
  "passed": true,
  "stages": [
    {"stage": "test", "status": "passed", "seconds": 0.056, "detail": "11 passed, 0 failed, 0 errors, 0 skipped"},
    {"stage": "lint", "status": "passed", "seconds": 0.055, "detail": "0 findings"},
    {"stage": "pack", "status": "passed", "seconds": 0.035, "detail": "Dockerfile for linux/amd64"},
    {"stage": "publish", "status": "skipped", "seconds": 0}
  ],
  "published": [],
  "reports": "/tmp/h10/out"
}
`

func TestDecodeSummary(t *testing.T) {
	for _, tt := range []struct {
		name   string
		stdout string
		want   Summary
		err    string
	}{
		{name: "run", stdout: summaryJSON, want: Summary{Passed: true, Stages: []StageTime{
			{"test", "passed", 0.056}, {"lint", "passed", 0.055}, {"pack", "passed", 0.035}, {"publish", "skipped", 0}}}},
		{name: "text before the JSON", stdout: "\nnote\n" + `{"passed": false, "error": "test: 1 failed", "stages": []}`,
			want: Summary{Error: "test: 1 failed", Stages: []StageTime{}}},
		{name: "deploy", stdout: `{"passed": true, "stages": [{"stage": "cluster", "status": "passed", "seconds": 212.5}], "address": "http://x (kwok)"}`,
			want: Summary{Passed: true, Stages: []StageTime{{"cluster", "passed", 212.5}}, Address: "http://x (kwok)"}},
		{name: "text summary", stdout: "STAGE  STATUS  TIME\ntest   passed  1.0s\n", err: `no JSON summary on stdout (got "STAGE  STATUS  TIME")`},
		{name: "empty", stdout: "", err: "no JSON summary"},
		{name: "no stages", stdout: `{"passed": true}`, err: "no stages list"},
		{name: "cut short", stdout: `{"passed": true, "stages": [`, err: "read onepipe's JSON summary"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeSummary([]byte(tt.stdout))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCountSpans(t *testing.T) {
	// lines as the engine writes them to OUT/engine.log, colours included
	log := strings.Join([]string{
		"Creating new Engine session... OK!",
		"\x1b[95m24  : \x1b[0m\x1b[90;2m┆ \x1b[0m\x1b[34mwithExec\x1b[0m python -m pip install 'flake8>=5,<8'",
		"\x1b[95m24  : \x1b[0m\x1b[90;2m┆ \x1b[0mContainer.\x1b[1mwithExec\x1b[0m\x1b[34m CACHED\x1b[0m\x1b[90m [0.0s]\x1b[0m",
		"\x1b[95m31  : \x1b[0m\x1b[90;2m┆ \x1b[0m\x1b[34mwithExec\x1b[0m python -m pip install -r requirements.txt -r requirements-dev.txt",
		"\x1b[95m31  : \x1b[0m\x1b[90;2m┆ \x1b[0mContainer.\x1b[1mwithExec\x1b[0m\x1b[32m DONE\x1b[0m\x1b[90m [4.2s]\x1b[0m",
		"35  : ┆ withExec python -m pytest",
		"35  : ┆ Container.withExec DONE [1.1s]",
	}, "\n")
	executed, cached, deps := countSpans(log)
	if executed != 2 || cached != 1 || !deps {
		t.Errorf("countSpans = %d executed, %d cached, deps %v; want 2, 1, true", executed, cached, deps)
	}
	if _, _, deps := countSpans("31  : ┆ withExec python -m pip install -r requirements.txt\n31  : ┆ Container.withExec CACHED [0.0s]\n"); deps {
		t.Error("a cached pip install counted as installed")
	}
}

// fakeOnepipe writes a script that stands in for the onepipe binary: it
// records its arguments and environment, writes an engine.log into --out
// and prints stdout; it exits with code.
func fakeOnepipe(t *testing.T, stdout string, code int) (bin, argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	script := `#!/bin/sh
printf '%s\n' "$@" > ` + argsFile + `
echo "secret=$CONDUIT_SECRET_KEY" >> ` + argsFile + `
out=
while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
mkdir -p "$out"
printf '31  : withExec python -m pip install -r requirements.txt\n31  : Container.withExec DONE [3.0s]\n' > "$out/engine.log"
cat <<'JSON'
` + stdout + `
JSON
echo "onepipe: last words" >&2
exit ` + strconv.Itoa(code) + "\n"
	bin = filepath.Join(dir, "onepipe")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, argsFile
}

func TestBinaryRunner(t *testing.T) {
	app := t.TempDir()
	s := step{App: "flask", Scenario: "deploy", Dir: app, Args: []string{"run", "--sha", "abc"}, Env: []string{"CONDUIT_SECRET_KEY=k"}}

	bin, argsFile := fakeOnepipe(t, summaryJSON, 0)
	r, err := binary(bin)(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	args, _ := os.ReadFile(argsFile)
	want := strings.Join([]string{"run", "--sha", "abc", "--source", app, "--out", filepath.Join(app, ".onepipe", "out"), "--output", "json", "secret=k"}, "\n") + "\n"
	if string(args) != want {
		t.Errorf("onepipe got\n%s\nwant\n%s", args, want)
	}
	if len(r.Stages) != 4 || r.Stages[2].Stage != "pack" || r.Executed != 1 || !r.DepsInstalled || r.App != "flask" || r.Scenario != "deploy" || r.Seconds <= 0 {
		t.Errorf("result = %+v", r)
	}

	bin, _ = fakeOnepipe(t, `{"passed": false, "error": "test: 2 failed: see junit.xml", "stages": []}`, 1)
	r, err = binary(bin)(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "onepipe run --sha abc exited 1: test: 2 failed: see junit.xml") || r.ExitCode != 1 {
		t.Errorf("failed run: err = %v, exit %d", err, r.ExitCode)
	}

	bin, _ = fakeOnepipe(t, "not json", 2)
	if _, err = binary(bin)(context.Background(), s); err == nil || !strings.Contains(err.Error(), "exited 2: onepipe: last words") {
		t.Errorf("failed run without summary: err = %v", err)
	}

	bin, _ = fakeOnepipe(t, "STAGE STATUS", 0)
	if _, err = binary(bin)(context.Background(), s); err == nil || !strings.Contains(err.Error(), "no JSON summary") {
		t.Errorf("passed run without summary: err = %v", err)
	}
}
