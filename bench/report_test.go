package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRatio(t *testing.T) {
	for _, tt := range []struct {
		fresh, warm float64
		want        float64
		ok          bool
		text        string
	}{
		{fresh: 45.3, warm: 0.12, want: 377.5, ok: true, text: "378×"},
		{fresh: 12, warm: 4, want: 3, ok: true, text: "3.0×"},
		{fresh: 9.9, warm: 1, want: 9.9, ok: true, text: "9.9×"},
		{fresh: 3, warm: 0, ok: false, text: "-"},
		{fresh: 3, warm: -1, ok: false, text: "-"},
	} {
		got, ok := ratio(tt.fresh, tt.warm)
		if ok != tt.ok || (ok && (got < tt.want-1e-9 || got > tt.want+1e-9)) {
			t.Errorf("ratio(%v, %v) = %v, %v; want %v, %v", tt.fresh, tt.warm, got, ok, tt.want, tt.ok)
		}
		if s := formatRatio(got); s != tt.text {
			t.Errorf("formatRatio(%v) = %q, want %q", got, s, tt.text)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	for in, want := range map[float64]string{0.123: "0.12 s", 6.54: "6.5 s", 212.49: "212.5 s", 0: "0.00 s"} {
		if got := formatSeconds(in); got != want {
			t.Errorf("formatSeconds(%v) = %q, want %q", in, got, want)
		}
	}
}

// comparisons are two measured scenarios, the second a deploy.
var comparisons = []Comparison{
	{App: "tornado", Scenario: "same commit again", Ratio: 375, EngineStartSeconds: 9.2,
		Warm:  Result{Seconds: 0.12, Stages: []StageTime{{"test", "passed", 0.05}, {"lint", "passed", 0.05}, {"pack", "passed", 0.04}, {"publish", "skipped", 0}}, Cached: 5},
		Fresh: Result{Seconds: 45, Stages: []StageTime{{"test", "passed", 30.1}, {"lint", "passed", 20.2}, {"pack", "passed", 40.3}}, Executed: 5, DepsInstalled: true}},
	{App: "flask", Scenario: "code edit deployed (--cluster local)", Ratio: 40,
		Warm:  Result{Seconds: 10, Stages: []StageTime{{"test", "passed", 4}, {"cluster", "passed", 1.5}, {"deploy", "passed", 5}, {"smoke", "passed", 0.5}}},
		Fresh: Result{Seconds: 400, Stages: []StageTime{{"test", "passed", 30}, {"cluster", "passed", 312.5}, {"deploy", "passed", 20}}}},
}

func TestPrintComparisons(t *testing.T) {
	var b bytes.Buffer
	printComparisons(&b, comparisons, "127.0.0.1:5000/bench/cache")
	got := b.String()
	want := `fresh runner (registry cache 127.0.0.1:5000/bench/cache):
SCENARIO                                     WARM    FRESH ENGINE  RATIO  ENGINE START
tornado: same commit again                   0.12 s  45.0 s        375×   9.2 s
flask: code edit deployed (--cluster local)  10.0 s  400.0 s       40×    0.00 s

stage seconds (cluster: until the cluster is ready):
SCENARIO                                     ENGINE  WALL   TEST  LINT  PACK  CLUSTER  DEPLOY  SMOKE  EXECUTED  CACHED  DEPS INSTALLED
tornado: same commit again                   warm    0.1    0.1   0.1   0.0   -        -       -      0         5       false
tornado: same commit again                   fresh   45.0   30.1  20.2  40.3  -        -       -      5         0       true
flask: code edit deployed (--cluster local)  warm    10.0   4.0   -     -     1.5      5.0     0.5    0         0       false
flask: code edit deployed (--cluster local)  fresh   400.0  30.0  -     -     312.5    20.0    -      0         0       false
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	b.Reset()
	printComparisons(&b, nil, "")
	if !strings.HasPrefix(b.String(), "fresh runner (no registry cache):\n") {
		t.Errorf("without a cache: %q", b.String())
	}
}

func TestPrintComparisonsMarkdown(t *testing.T) {
	var b bytes.Buffer
	printComparisonsMarkdown(&b, comparisons)
	want := `| scenario | warm | fresh engine | ratio |
|---|---|---|---|
| tornado: same commit again | 0.12 s | 45.0 s | 375× |
| flask: code edit deployed (--cluster local) | 10.0 s | 400.0 s | 40× |
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPrintResults(t *testing.T) {
	var b bytes.Buffer
	printResults(&b, []Result{
		{App: "tornado", Scenario: "1 cold", Seconds: 6.5, Stages: []StageTime{{"pack", "passed", 5}, {"test", "passed", 3}}, Executed: 7, DepsInstalled: true},
		{App: "tornado", Scenario: "5 seed-style baseline", Seconds: 10.3, Stages: []StageTime{{"test", "passed", 3}, {"lint", "passed", 2}, {"pack", "passed", 5}}},
	}, []string{"tornado: test∥lint 1.0s / longest alone 1.0s = 1.00"})
	want := `APP      SCENARIO               WALL    TEST  LINT  PACK  EXECUTED  CACHED  DEPS INSTALLED
tornado  1 cold                 6.50s   3.0   -     5.0   7         0       true
tornado  5 seed-style baseline  10.30s  3.0   2.0   5.0   0         0       false

parallel efficiency (target ≤ 1.2):
  tornado: test∥lint 1.0s / longest alone 1.0s = 1.00
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteResultsKeepsOtherMeasurements(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	if err := writeResults(path, map[string]any{"results": []Result{{App: "tornado", Seconds: 1}}, "when": "t1"}); err != nil {
		t.Fatal(err)
	}
	if err := writeResults(path, map[string]any{"freshRunner": map[string]any{"comparisons": comparisons[:1]}}); err != nil {
		t.Fatal(err)
	}
	if err := writeResults(path, map[string]any{"freshRunnerCache": map[string]any{"cache": "r/c"}, "when": "t2"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results     []Result `json:"results"`
		When        string   `json:"when"`
		FreshRunner struct {
			Comparisons []Comparison `json:"comparisons"`
		} `json:"freshRunner"`
		FreshRunnerCache struct {
			Cache string `json:"cache"`
		} `json:"freshRunnerCache"`
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != 1 || doc.When != "t2" || len(doc.FreshRunner.Comparisons) != 1 || doc.FreshRunner.Comparisons[0].Ratio != 375 ||
		doc.FreshRunner.Comparisons[0].Fresh.Stages[2].Seconds != 40.3 || doc.FreshRunnerCache.Cache != "r/c" {
		t.Errorf("results.json:\n%s", data)
	}

	os.WriteFile(path, []byte("not json"), 0o644)
	if err := writeResults(path, map[string]any{"when": "t3"}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "{\n  \"when\": \"t3\"\n}\n" {
		t.Errorf("a broken file is not written anew: %s", data)
	}
}
