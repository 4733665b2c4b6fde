package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// freshScenario is one CI job, measured on a warm engine and on a fresh one
// (the engine's state emptied just before the job, the registry kept).
type freshScenario struct {
	// key selects the scenario with -only.
	key  string
	name string
	// app limits the scenario to one example ("" = every app of -apps).
	app string
	// change turns the previous job's commit into this job's; nil: the
	// same commit again.
	change func(*bench) error
	// deploy runs with --env dev --cluster local: the cluster stage's time
	// to "cluster ready" is part of the stage times.
	deploy bool
}

var freshScenarios = []freshScenario{
	{key: "same", name: "same commit again"},
	{key: "code", name: "one line of code changed", change: (*bench).editCode},
	{key: "deps", name: "requirements changed", change: (*bench).editDeps},
	{key: "deploy", name: "code edit deployed (--cluster local)", app: "flask", change: (*bench).editCode, deploy: true},
}

// freshKeys lists the scenario keys, for -only.
func freshKeys() []string {
	keys := make([]string, len(freshScenarios))
	for i, s := range freshScenarios {
		keys[i] = s.key
	}
	return keys
}

// pickFresh returns the scenarios -only names (all when empty), in their
// order.
func pickFresh(only []string) ([]freshScenario, error) {
	if len(only) == 0 {
		return freshScenarios, nil
	}
	for _, k := range only {
		if !slices.Contains(freshKeys(), k) {
			return nil, fmt.Errorf("-only %s: use %s", k, strings.Join(freshKeys(), ", "))
		}
	}
	var out []freshScenario
	for _, s := range freshScenarios {
		if slices.Contains(only, s.key) {
			out = append(out, s)
		}
	}
	return out, nil
}

// Secrets of the flask example's dev environment, for the deploy scenario.
var deployEnv = []string{"CONDUIT_SECRET_KEY=bench-secret-key", "CONDUIT_DB_PASSWORD=bench_db_password"}

// freshRunner measures every scenario on every app it applies to.
func freshRunner(ctx context.Context, apps []string, scenarios []freshScenario, newBench func(app string) (*bench, error), restart restarter) ([]Comparison, error) {
	var out []Comparison
	for _, app := range apps {
		var b *bench
		for _, sc := range scenarios {
			if sc.app != "" && sc.app != app {
				continue
			}
			if b == nil {
				var err error
				if b, err = newBench(app); err != nil {
					return nil, err
				}
			}
			c, err := b.compare(ctx, sc, restart)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", app, sc.name, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// compare runs a scenario as a job on the warm engine, then as a job on a
// fresh one.
func (b *bench) compare(ctx context.Context, sc freshScenario, restart restarter) (Comparison, error) {
	warm, _, err := b.job(ctx, sc, "warm", nil)
	if err != nil {
		return Comparison{}, err
	}
	fresh, started, err := b.job(ctx, sc, "fresh engine", restart)
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{App: b.app, Scenario: sc.name, Warm: warm, Fresh: fresh, EngineStartSeconds: started.Seconds()}
	c.Ratio, _ = ratio(fresh.Seconds, warm.Seconds)
	return c, nil
}

// job is what a CI does on a push: the previous job ran (unmeasured; it
// leaves its cache behind, in the engine and, with -cache, in the
// registry), the commit changes, and the measured job runs. With restart
// the engine's state is emptied right before the measured job.
func (b *bench) job(ctx context.Context, sc freshScenario, engine string, restart restarter) (Result, time.Duration, error) {
	// a nonce in requirements and code: nothing of this job is cached yet
	// except what the previous job leaves
	if err := b.bust(sc.key + " " + engine); err != nil {
		return Result{}, 0, err
	}
	sha := b.commit()
	if _, err := b.run(ctx, sc.name+" ("+engine+": previous job)", b.runArgs(sc, sha), sc); err != nil {
		return Result{}, 0, err
	}
	if sc.change != nil {
		if err := sc.change(b); err != nil {
			return Result{}, 0, err
		}
		sha = b.commit()
	}
	var started time.Duration
	if restart != nil {
		var err error
		if started, err = restart(ctx); err != nil {
			return Result{}, 0, err
		}
	}
	r, err := b.run(ctx, sc.name+" ("+engine+")", b.runArgs(sc, sha), sc)
	r.Scenario = sc.name
	return r, started, err
}

// runArgs is `onepipe run` for a job on commit sha.
func (b *bench) runArgs(sc freshScenario, sha string) []string {
	args := []string{"--sha", sha}
	if sc.deploy {
		args = append(args, "--env", "dev", "--cluster", "local")
	}
	return b.runCmd(args...)
}

func (b *bench) run(ctx context.Context, name string, args []string, sc freshScenario) (Result, error) {
	var env []string
	if sc.deploy {
		env = deployEnv
	}
	return b.exec(ctx, step{App: b.app, Scenario: name, Dir: b.dir, Args: args, Env: env})
}

// commit makes up the SHA of a new commit.
func (b *bench) commit() string {
	b.commits++
	sum := sha1.Sum(fmt.Appendf(nil, "%s %d %d", b.app, b.commits, time.Now().UnixNano()))
	return hex.EncodeToString(sum[:])
}

// nameLocalCluster gives the flask copy's dev cluster a name of its own, so
// the bench neither waits for nor changes the cluster other runs use.
func nameLocalCluster(dir, name string) error {
	path := filepath.Join(dir, "onepipe.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("name the local cluster: %w", err)
	}
	const local = "    cluster:\n      provider: local\n"
	if !strings.Contains(string(data), local) {
		return fmt.Errorf("%s: no dev cluster with provider: local to name: update nameLocalCluster in bench/fresh.go", path)
	}
	config := strings.Replace(string(data), local, local+"      name: "+name+"\n", 1)
	return os.WriteFile(path, []byte(config), 0o644)
}
