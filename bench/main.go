// Command bench measures where pipeline time goes: it runs onepipe on the
// bundled examples against a real engine in the scenarios users care about
// (cold, warm, code edit, dependency edit) and against a seed-style baseline
// (stages one after another, each from a clean cache), then prints a table
// and writes the numbers as JSON.
//
//	go run ./bench                      # both examples, results in bench/results.json
//	go run ./bench -apps flask -json /tmp/r.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is one measured scenario.
type Result struct {
	App      string  `json:"app"`
	Scenario string  `json:"scenario"`
	Seconds  float64 `json:"seconds"`
	// Executed and Cached count the container commands the engine ran or
	// served from its cache.
	Executed int `json:"executed"`
	Cached   int `json:"cached"`
	// DepsInstalled says whether `pip install -r` ran (not served from cache).
	DepsInstalled bool `json:"depsInstalled"`
	ExitCode      int  `json:"exitCode"`
}

func main() {
	apps := flag.String("apps", "tornado,flask", "comma-separated examples to measure")
	out := flag.String("json", "bench/results.json", "where to write the results as JSON")
	flag.Parse()
	if err := run(strings.Split(*apps, ","), *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(apps []string, jsonPath string) error {
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" && os.Getenv("DAGGER_SESSION_PORT") == "" {
		return fmt.Errorf("no engine: set _EXPERIMENTAL_DAGGER_RUNNER_HOST and _EXPERIMENTAL_DAGGER_CLI_BIN")
	}
	work, err := os.MkdirTemp("", "onepipe-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "onepipe")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/onepipe").CombinedOutput(); err != nil {
		return fmt.Errorf("build onepipe: %v\n%s", err, out)
	}
	var results []Result
	var efficiency []string
	for _, app := range apps {
		b := &bench{bin: bin, app: app, dir: filepath.Join(work, app)}
		if err := b.copyExample(); err != nil {
			return err
		}
		rs, eff, err := b.scenarios()
		if err != nil {
			return fmt.Errorf("%s: %w", app, err)
		}
		results = append(results, rs...)
		efficiency = append(efficiency, eff)
	}
	print(results, efficiency)
	data, _ := json.MarshalIndent(map[string]any{"results": results, "parallelEfficiency": efficiency, "when": time.Now().UTC()}, "", "  ")
	return os.WriteFile(jsonPath, append(data, '\n'), 0o644)
}

type bench struct {
	bin, app, dir string
}

func (b *bench) copyExample() error {
	return exec.Command("cp", "-r", filepath.Join("examples", b.app), b.dir).Run()
}

// scenarios runs every scenario on one app, in an order where each starts
// from the state the previous one left.
func (b *bench) scenarios() ([]Result, string, error) {
	var rs []Result
	measure := func(name string, args ...string) (Result, error) {
		r, err := b.onepipe(name, args...)
		rs = append(rs, r)
		return r, err
	}
	all := []string{"run"}

	b.bust("cold") // a fresh nonce in requirements and code: nothing of this app is cached
	if _, err := measure("1 cold", all...); err != nil {
		return nil, "", err
	}
	if _, err := measure("2 warm (no change)", all...); err != nil {
		return nil, "", err
	}
	b.editCode()
	if _, err := measure("3 code edit", all...); err != nil {
		return nil, "", err
	}
	b.editDeps()
	if _, err := measure("4 dependency edit", all...); err != nil {
		return nil, "", err
	}

	// 5. seed style: each stage a fresh job with an empty cache, one after another
	start := time.Now()
	seed := Result{App: b.app, Scenario: "5 seed-style baseline"}
	for _, stage := range []string{"test", "lint", "pack"} {
		b.bust("seed-" + stage)
		r, err := b.onepipe("seed "+stage, stage)
		if err != nil {
			return nil, "", err
		}
		seed.Executed += r.Executed
		seed.Cached += r.Cached
		seed.DepsInstalled = seed.DepsInstalled || r.DepsInstalled
	}
	seed.Seconds = time.Since(start).Seconds()
	rs = append(rs, seed)

	// parallel efficiency: the checks side by side against the longest of
	// them alone, every measurement from a cold cache for this app
	alone := map[string]float64{}
	for _, stage := range []string{"test", "lint", "pack"} {
		b.bust("alone-" + stage)
		r, err := b.onepipe("alone "+stage, "run", "--only", stage)
		if err != nil {
			return nil, "", err
		}
		alone[stage] = r.Seconds
	}
	b.bust("parallel-test-lint")
	two, err := b.onepipe("test∥lint", "run", "--only", "test,lint")
	if err != nil {
		return nil, "", err
	}
	b.bust("parallel-all")
	three, err := b.onepipe("test∥lint∥pack", all...)
	if err != nil {
		return nil, "", err
	}
	longest2 := max(alone["test"], alone["lint"])
	longest3 := max(longest2, alone["pack"])
	eff := fmt.Sprintf("%s: test∥lint %.1fs / longest alone %.1fs = %.2f; test∥lint∥pack %.1fs / longest alone %.1fs = %.2f",
		b.app, two.Seconds, longest2, two.Seconds/longest2, three.Seconds, longest3, three.Seconds/longest3)
	return rs, eff, nil
}

var (
	spanCmd    = regexp.MustCompile(`^(\d+)\s*:\s*(?:┆\s*)*withExec (.*)$`)
	spanStatus = regexp.MustCompile(`^(\d+)\s*:\s*(?:┆\s*)*Container\.withExec (CACHED|DONE|ERROR) \[([\d.]+)s\]`)
	ansi       = regexp.MustCompile(`\x1b\[[0-9;]*m`)
)

// onepipe runs one command on the app and reads the engine's progress output
// to count the container commands executed and cached.
func (b *bench) onepipe(name string, args ...string) (Result, error) {
	args = append(args, "--source", b.dir, "--out", filepath.Join(b.dir, ".onepipe", "out"))
	cmd := exec.Command(b.bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	r := Result{App: b.app, Scenario: name, Seconds: time.Since(start).Seconds()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.ExitCode = ee.ExitCode()
	} else if err != nil {
		return r, err
	}
	if r.ExitCode != 0 {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		return r, fmt.Errorf("%s exited %d: %s", name, r.ExitCode, lines[len(lines)-1])
	}
	cmds := map[string]string{}
	for _, line := range strings.Split(ansi.ReplaceAllString(stderr.String(), ""), "\n") {
		if m := spanCmd.FindStringSubmatch(line); m != nil {
			cmds[m[1]] = m[2]
		}
		if m := spanStatus.FindStringSubmatch(line); m != nil {
			if m[2] == "CACHED" {
				r.Cached++
				continue
			}
			r.Executed++
			if strings.Contains(cmds[m[1]], "pip install -r") {
				r.DepsInstalled = true
			}
		}
	}
	return r, nil
}

// bust writes a nonce into the requirements and the code, so nothing of the
// app is in the engine's cache (the base images are: they come from a local
// mirror either way).
func (b *bench) bust(tag string) {
	nonce := fmt.Sprintf("# bench %s %d\n", tag, time.Now().UnixNano())
	appendTo(filepath.Join(b.dir, "requirements.txt"), nonce)
	appendTo(b.codeFile(), nonce)
}

func (b *bench) editCode() { appendTo(b.codeFile(), "# one line of code changed\n") }

func (b *bench) editDeps() { appendTo(filepath.Join(b.dir, "requirements.txt"), "requests>=2\n") }

func (b *bench) codeFile() string {
	if b.app == "flask" {
		return filepath.Join(b.dir, "conduit", "api.py")
	}
	return filepath.Join(b.dir, "app.py")
}

func appendTo(path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		panic(err) // the example layout is part of this repository
	}
	defer f.Close()
	f.WriteString(text)
}

func print(results []Result, efficiency []string) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP\tSCENARIO\tWALL\tEXECUTED\tCACHED\tDEPS INSTALLED")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%.2fs\t%d\t%d\t%v\n", r.App, r.Scenario, r.Seconds, r.Executed, r.Cached, r.DepsInstalled)
	}
	tw.Flush()
	fmt.Println("\nparallel efficiency (target ≤ 1.2):")
	for _, e := range efficiency {
		fmt.Println("  " + e)
	}
}
