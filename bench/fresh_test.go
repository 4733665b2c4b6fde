package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// event is one thing the fresh-runner flow did, in order.
type event struct {
	app, name string
	args      []string
	env       []string
	code      string // the app's code file when the step ran
	reqs      string // its requirements.txt
}

// fakeJobs runs the fresh-runner flow on copies of tiny apps with a fake
// onepipe and a fake engine restart, and returns what happened in order.
func fakeJobs(t *testing.T, apps []string, only []string, cache string) ([]event, []Comparison) {
	t.Helper()
	var events []event
	root := t.TempDir()
	newBench := func(app string) (*bench, error) {
		b := &bench{app: app, dir: filepath.Join(root, app), cache: cache}
		os.MkdirAll(filepath.Join(b.dir, "conduit"), 0o755)
		os.WriteFile(filepath.Join(b.dir, "requirements.txt"), []byte("flask\n"), 0o644)
		os.WriteFile(b.codeFile(), []byte("print(1)\n"), 0o644)
		b.exec = func(_ context.Context, s step) (Result, error) {
			code, _ := os.ReadFile(b.codeFile())
			reqs, _ := os.ReadFile(filepath.Join(b.dir, "requirements.txt"))
			events = append(events, event{app: s.App, name: s.Scenario, args: s.Args, env: s.Env, code: string(code), reqs: string(reqs)})
			secs := 2.0 // warm
			if slices.ContainsFunc(events, func(e event) bool { return e.name == "restart" }) {
				secs = 50 // after any restart: the fake says fresh is slow
			}
			return Result{App: s.App, Scenario: s.Scenario, Seconds: secs}, nil
		}
		return b, nil
	}
	restart := func(context.Context) (time.Duration, error) {
		events = append(events, event{name: "restart"})
		return 7 * time.Second, nil
	}
	scenarios, err := pickFresh(only)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := freshRunner(context.Background(), apps, scenarios, newBench, restart)
	if err != nil {
		t.Fatal(err)
	}
	return events, cs
}

func flagValue(args []string, name string) string {
	i := slices.Index(args, name)
	if i < 0 || i+1 >= len(args) {
		return ""
	}
	return args[i+1]
}

func TestFreshJobOrder(t *testing.T) {
	for _, tt := range []struct {
		only      string
		sameSHA   bool
		measured  func(prev, cur event) bool // what changed between the previous job and the measured one
		deployEnv bool
	}{
		{only: "same", sameSHA: true, measured: func(p, c event) bool { return p.code == c.code && p.reqs == c.reqs }},
		{only: "code", measured: func(p, c event) bool {
			return c.code == p.code+"# one line of code changed\n" && p.reqs == c.reqs
		}},
		{only: "deps", measured: func(p, c event) bool { return c.reqs == p.reqs+"requests>=2\n" && p.code == c.code }},
	} {
		t.Run(tt.only, func(t *testing.T) {
			events, cs := fakeJobs(t, []string{"tornado"}, []string{tt.only}, "")
			var names []string
			for _, e := range events {
				names = append(names, e.name)
			}
			sc, _ := pickFresh([]string{tt.only})
			n := sc[0].name
			want := []string{n + " (warm: previous job)", n + " (warm)", n + " (fresh engine: previous job)", "restart", n + " (fresh engine)"}
			if !slices.Equal(names, want) {
				t.Fatalf("steps:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
			}
			for _, pair := range [][2]event{{events[0], events[1]}, {events[2], events[4]}} {
				prev, cur := pair[0], pair[1]
				if !tt.measured(prev, cur) {
					t.Errorf("%s: previous job code %q reqs %q, measured job code %q reqs %q", cur.name, prev.code, prev.reqs, cur.code, cur.reqs)
				}
				if same := flagValue(prev.args, "--sha") == flagValue(cur.args, "--sha"); same != tt.sameSHA || len(flagValue(cur.args, "--sha")) != 40 {
					t.Errorf("%s: --sha %s after %s", cur.name, flagValue(cur.args, "--sha"), flagValue(prev.args, "--sha"))
				}
				if cur.args[0] != "run" || slices.Contains(cur.args, "--cluster") || slices.Contains(cur.args, "--cache") || !slices.Contains(cur.args, "--no-cache") || cur.env != nil {
					t.Errorf("%s: args %v env %v", cur.name, cur.args, cur.env)
				}
			}
			// the fresh pair starts from a state the warm pair never had
			if events[2].code == events[1].code || events[2].reqs == events[1].reqs {
				t.Error("the fresh job's previous commit is the warm job's: its cache would be in the engine")
			}
			if len(cs) != 1 || cs[0].Warm.Seconds != 2 || cs[0].Fresh.Seconds != 50 || cs[0].Ratio != 25 || cs[0].EngineStartSeconds != 7 || cs[0].Fresh.Scenario != n {
				t.Errorf("comparison = %+v", cs)
			}
		})
	}
}

func TestFreshDeployAndCache(t *testing.T) {
	events, cs := fakeJobs(t, []string{"tornado", "flask"}, nil, "127.0.0.1:5000/bench/cache")
	var got []string
	for _, c := range cs {
		got = append(got, c.App+": "+c.Scenario)
	}
	want := []string{"tornado: same commit again", "tornado: one line of code changed", "tornado: requirements changed",
		"flask: same commit again", "flask: one line of code changed", "flask: requirements changed", "flask: code edit deployed (--cluster local)"}
	if !slices.Equal(got, want) {
		t.Fatalf("comparisons:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	restarts := 0
	for _, e := range events {
		if e.name == "restart" {
			restarts++
			continue
		}
		if flagValue(e.args, "--cache") != "127.0.0.1:5000/bench/cache" || slices.Contains(e.args, "--no-cache") {
			t.Errorf("%s: args %v lack --cache", e.name, e.args)
		}
		deploy := strings.HasPrefix(e.name, "code edit deployed")
		if deploy != (flagValue(e.args, "--cluster") == "local" && flagValue(e.args, "--env") == "dev") {
			t.Errorf("%s: args %v", e.name, e.args)
		}
		if deploy != slices.Equal(e.env, deployEnv) {
			t.Errorf("%s: env %v", e.name, e.env)
		}
		if deploy && e.app != "flask" {
			t.Errorf("deploy ran on %s", e.app)
		}
	}
	if restarts != len(want) {
		t.Errorf("%d engine restarts, want one per scenario (%d)", restarts, len(want))
	}
}

func TestFreshStopsAtAFailure(t *testing.T) {
	root := t.TempDir()
	runs := 0
	newBench := func(app string) (*bench, error) {
		b := &bench{app: app, dir: root}
		os.WriteFile(filepath.Join(root, "requirements.txt"), nil, 0o644)
		os.WriteFile(b.codeFile(), nil, 0o644)
		b.exec = func(context.Context, step) (Result, error) { runs++; return Result{}, nil }
		return b, nil
	}
	restart := func(context.Context) (time.Duration, error) {
		return 0, errors.New("../shared/engine/start.sh --fresh: exit status 1")
	}
	_, err := freshRunner(context.Background(), []string{"tornado"}, freshScenarios, newBench, restart)
	if err == nil || err.Error() != "tornado, same commit again: ../shared/engine/start.sh --fresh: exit status 1" {
		t.Errorf("err = %v", err)
	}
	if runs != 3 {
		t.Errorf("%d runs, want 3 (warm previous, warm, fresh previous) and none after the failed restart", runs)
	}
}

func TestPickFresh(t *testing.T) {
	all, err := pickFresh(nil)
	if err != nil || len(all) != 4 {
		t.Fatalf("pickFresh(nil) = %d scenarios, %v", len(all), err)
	}
	got, err := pickFresh([]string{"deploy", "same"})
	if err != nil || len(got) != 2 || got[0].key != "same" || got[1].key != "deploy" {
		t.Errorf("pickFresh(deploy,same) = %v, %v", got, err)
	}
	if _, err := pickFresh([]string{"cold"}); err == nil || err.Error() != "-only cold: use same, code, deps, deploy" {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestNameLocalCluster(t *testing.T) {
	dir := t.TempDir()
	config, err := os.ReadFile(filepath.Join("..", "examples", "flask", "onepipe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "onepipe.yaml"), config, 0o644)
	if err := nameLocalCluster(dir, "bench-1"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "onepipe.yaml"))
	if !strings.Contains(string(got), "    cluster:\n      provider: local\n      name: bench-1\n") {
		t.Errorf("the dev cluster is not named:\n%s", got)
	}

	os.WriteFile(filepath.Join(dir, "onepipe.yaml"), []byte("app: x\n"), 0o644)
	if err := nameLocalCluster(dir, "bench-1"); err == nil || !strings.Contains(err.Error(), "no dev cluster with provider: local") {
		t.Errorf("config without a local cluster: %v", err)
	}
}
