package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// scenarios runs every standard scenario on one app, in an order where each
// starts from the state the previous one left.
func (b *bench) scenarios(ctx context.Context) ([]Result, string, error) {
	var rs []Result
	measure := func(name string, args ...string) error {
		r, err := b.onepipe(ctx, name, args...)
		rs = append(rs, r)
		return err
	}
	all := b.runCmd()
	steps := []struct {
		name string
		edit func() error
	}{
		{"1 cold", func() error { return b.bust("cold") }}, // nothing of this app is cached
		{"2 warm (no change)", nil},
		{"3 code edit", b.editCode},
		{"4 dependency edit", b.editDeps},
	}
	for _, s := range steps {
		if s.edit != nil {
			if err := s.edit(); err != nil {
				return nil, "", err
			}
		}
		if err := measure(s.name, all...); err != nil {
			return nil, "", err
		}
	}

	// 5. seed style: stages one after another, no cache (each a fresh job
	// from an empty cache for this app)
	start := time.Now()
	seed := Result{App: b.app, Scenario: "5 seed-style baseline"}
	for _, stage := range []string{"test", "lint", "pack"} {
		if err := b.bust("seed-" + stage); err != nil {
			return nil, "", err
		}
		r, err := b.onepipe(ctx, "seed "+stage, stage, "--no-cache")
		if err != nil {
			return nil, "", err
		}
		seed.Stages = append(seed.Stages, r.Stages...)
		seed.Executed += r.Executed
		seed.Cached += r.Cached
		seed.DepsInstalled = seed.DepsInstalled || r.DepsInstalled
	}
	seed.Seconds = time.Since(start).Seconds()
	rs = append(rs, seed)

	// parallel efficiency: the checks side by side against the longest of
	// them alone, every measurement from a cold cache for this app
	cold := func(tag string, args ...string) (float64, error) {
		if err := b.bust(tag); err != nil {
			return 0, err
		}
		r, err := b.onepipe(ctx, tag, args...)
		return r.Seconds, err
	}
	alone := map[string]float64{}
	for _, stage := range []string{"test", "lint", "pack"} {
		s, err := cold("alone "+stage, b.runCmd("--only", stage)...)
		if err != nil {
			return nil, "", err
		}
		alone[stage] = s
	}
	two, err := cold("test∥lint", b.runCmd("--only", "test,lint")...)
	if err != nil {
		return nil, "", err
	}
	three, err := cold("test∥lint∥pack", all...)
	if err != nil {
		return nil, "", err
	}
	longest2 := max(alone["test"], alone["lint"])
	longest3 := max(longest2, alone["pack"])
	eff := fmt.Sprintf("%s: test∥lint %.1fs / longest alone %.1fs = %.2f; test∥lint∥pack %.1fs / longest alone %.1fs = %.2f",
		b.app, two, longest2, two/longest2, three, longest3, three/longest3)
	return rs, eff, nil
}

// bust writes a nonce into the requirements and the code, so nothing of the
// app is in the engine's cache (the base images are: they come from a local
// mirror either way).
func (b *bench) bust(tag string) error {
	nonce := fmt.Sprintf("# bench %s %d\n", tag, time.Now().UnixNano())
	if err := appendTo(filepath.Join(b.dir, "requirements.txt"), nonce); err != nil {
		return err
	}
	return appendTo(b.codeFile(), nonce)
}

func (b *bench) editCode() error { return appendTo(b.codeFile(), "# one line of code changed\n") }

func (b *bench) editDeps() error {
	return appendTo(filepath.Join(b.dir, "requirements.txt"), "requests>=2\n")
}

func (b *bench) codeFile() string {
	if b.app == "flask" {
		return filepath.Join(b.dir, "conduit", "api.py")
	}
	return filepath.Join(b.dir, "app.py")
}

func appendTo(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("edit the app copy: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("edit %s: %w", path, err)
	}
	return f.Close()
}
