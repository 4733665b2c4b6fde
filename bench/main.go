// Command bench measures where pipeline time goes: it runs onepipe on the
// bundled examples against a real engine in the scenarios users care about
// (cold, warm, code edit, dependency edit) and against a seed-style baseline
// (stages one after another, each from a clean cache), then prints a table
// and writes the numbers as JSON. Stage times come from
// `onepipe run --output json`; the executed and cached commands from the
// run's engine.log.
//
// With -fresh it measures a fresh CI runner instead: each scenario (the same
// commit again, a one-line code edit, a requirements edit, a deploy to
// --cluster local) runs as a job on the warm engine and as a job on an
// engine whose state was emptied just before it (shared/engine/start.sh
// --fresh; the registry at 127.0.0.1:5000 is kept), side by side. -fresh
// wipes the engine everyone on the machine uses: its caches (the local
// cluster's Kubernetes build included) and running sessions are gone.
//
//	go run ./bench                      # both examples, results in bench/results.json
//	go run ./bench -apps flask -json /tmp/r.json
//	go run ./bench -fresh               # fresh runner vs warm engine (as root)
//	go run ./bench -fresh -cache 127.0.0.1:5000/onepipe/cache -only code,deploy
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

// options are the bench's flags.
type options struct {
	apps     []string
	jsonPath string
	fresh    bool
	only     []string
	cache    string
	start    string
	wait     time.Duration
}

func main() {
	var o options
	apps := flag.String("apps", "tornado,flask", "comma-separated examples to measure")
	flag.StringVar(&o.jsonPath, "json", "bench/results.json", "where to write the results as JSON (other measurements in the file are kept)")
	flag.BoolVar(&o.fresh, "fresh", false, "measure a fresh CI runner: empty the engine's state (start.sh --fresh) before each measured job, compare with a warm engine; wipes the shared engine")
	only := flag.String("only", "", "with -fresh: comma-separated scenarios to run: "+strings.Join(freshKeys(), ", ")+" (default all)")
	flag.StringVar(&o.cache, "cache", "", "pass --cache REPO to every onepipe run, a registry cache kept across fresh engines (default: --no-cache; the seed-style baseline never has one)")
	flag.StringVar(&o.start, "engine-start", "../shared/engine/start.sh", "with -fresh: the engine's start.sh, run with --fresh")
	flag.DurationVar(&o.wait, "engine-wait", 3*time.Minute, "with -fresh: how long the restarted engine has to answer")
	flag.Parse()
	o.apps = splitList(*apps)
	o.only = splitList(*only)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// check refuses bad flags before any work.
func (o options) check() error {
	if len(o.apps) == 0 {
		return fmt.Errorf("-apps is empty: name examples, e.g. -apps tornado,flask")
	}
	for _, app := range o.apps {
		if st, err := os.Stat(filepath.Join("examples", app)); err != nil || !st.IsDir() {
			return fmt.Errorf("-apps %s: no examples/%s folder (run the bench from the repository root)", app, app)
		}
	}
	if len(o.only) > 0 && !o.fresh {
		return fmt.Errorf("-only picks -fresh scenarios: add -fresh or drop -only")
	}
	if _, err := pickFresh(o.only); err != nil {
		return err
	}
	if o.fresh {
		return checkStartScript(o.start)
	}
	return nil
}

func run(ctx context.Context, o options) error {
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" && os.Getenv("DAGGER_SESSION_PORT") == "" {
		return fmt.Errorf("no engine: set _EXPERIMENTAL_DAGGER_RUNNER_HOST and _EXPERIMENTAL_DAGGER_CLI_BIN")
	}
	if err := o.check(); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "onepipe-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "onepipe")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/onepipe").CombinedOutput(); err != nil {
		return fmt.Errorf("build onepipe: %v\n%s", err, out)
	}
	newBench := func(app string) (*bench, error) {
		b := &bench{app: app, dir: filepath.Join(work, app), cache: o.cache, exec: binary(bin)}
		return b, b.copyExample()
	}
	if o.fresh {
		return runFresh(ctx, o, newBench)
	}

	var results []Result
	var efficiency []string
	for _, app := range o.apps {
		b, err := newBench(app)
		if err != nil {
			return err
		}
		rs, eff, err := b.scenarios(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", app, err)
		}
		results = append(results, rs...)
		efficiency = append(efficiency, eff)
	}
	printResults(os.Stdout, results, efficiency)
	return writeResults(o.jsonPath, map[string]any{"results": results, "parallelEfficiency": efficiency,
		"cache": o.cache, "when": time.Now().UTC()})
}

// runFresh measures the fresh-runner scenarios and writes them under
// freshRunner (freshRunnerCache with -cache) in the results file.
func runFresh(ctx context.Context, o options, newBench func(string) (*bench, error)) error {
	scenarios, err := pickFresh(o.only)
	if err != nil {
		return err
	}
	cluster := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	withCluster := func(app string) (*bench, error) {
		b, err := newBench(app)
		if err != nil || app != "flask" {
			return b, err
		}
		return b, nameLocalCluster(b.dir, cluster)
	}
	cs, err := freshRunner(ctx, o.apps, scenarios, withCluster, startScript(o.start, o.wait))
	if err != nil {
		return err
	}
	printComparisons(os.Stdout, cs, o.cache)
	fmt.Println()
	printComparisonsMarkdown(os.Stdout, cs)
	key := "freshRunner"
	if o.cache != "" {
		key = "freshRunnerCache"
	}
	return writeResults(o.jsonPath, map[string]any{key: map[string]any{"comparisons": cs, "cache": o.cache, "when": time.Now().UTC()}})
}

// bench measures one app on its own copy.
type bench struct {
	app, dir string
	// cache is passed as --cache to every onepipe run ("" = none).
	cache string
	exec  runner
	// commits counts the made-up commits of the fresh-runner jobs.
	commits int
}

func (b *bench) copyExample() error {
	if out, err := exec.Command("cp", "-r", filepath.Join("examples", b.app), b.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("copy examples/%s: %v: %s", b.app, err, out)
	}
	return nil
}

// onepipe runs one measured command on the app.
func (b *bench) onepipe(ctx context.Context, name string, args ...string) (Result, error) {
	return b.exec(ctx, step{App: b.app, Scenario: name, Dir: b.dir, Args: args})
}

// runCmd is `onepipe run` with the extra flags and --cache REPO, or
// --no-cache without -cache (no registry cache, also when the bench runs in
// a CI job or the example's onepipe.yaml names one).
func (b *bench) runCmd(extra ...string) []string {
	args := append([]string{"run"}, extra...)
	if b.cache != "" {
		return append(args, "--cache", b.cache)
	}
	return append(args, "--no-cache")
}
