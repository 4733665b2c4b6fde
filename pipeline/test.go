package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/junit"
)

const (
	appDir    = "/app"
	reportDir = "/tmp/onepipe"
	// JUnitPath is where the test command writes its JUnit XML, inside the container.
	JUnitPath = reportDir + "/junit.xml"
)

// Dependencies returns the runtime image with the app's requirements
// installed. The install layer depends on the requirement files alone, so
// editing app code never reinstalls packages; pip's download cache is a cache
// volume shared by every run on the engine.
func (p *Pipeline) Dependencies(files ...string) *dagger.Container {
	ctr := p.dag.Container().
		From(p.opts.Runtime).
		WithEnvVariable("PIP_DISABLE_PIP_VERSION_CHECK", "1").
		WithEnvVariable("PYTHONDONTWRITEBYTECODE", "1").
		WithMountedCache("/root/.cache/pip", p.dag.CacheVolume("onepipe-pip-"+cacheKey(p.opts.Runtime))).
		WithWorkdir(appDir)
	if len(files) == 0 {
		return ctr
	}
	install := []string{"python", "-m", "pip", "install"}
	for _, dir := range p.opts.RequirementPaths {
		if dir == "." {
			ctr = ctr.WithDirectory(appDir, p.source)
			continue
		}
		ctr = ctr.WithDirectory(path.Join(appDir, dir), p.source.Directory(dir))
	}
	for _, f := range files {
		ctr = ctr.WithFile(path.Join(appDir, f), p.source.File(f))
		install = append(install, "-r", f)
	}
	return ctr.WithExec(install)
}

// TestEnv returns the container tests run in: dependencies (runtime and dev
// requirements) with the source on top.
func (p *Pipeline) TestEnv() *dagger.Container {
	files := append(append([]string{}, p.opts.Requirements...), p.opts.DevRequirements...)
	return p.Dependencies(files...).
		WithDirectory(appDir, p.source).
		WithEnvVariable("JUNIT_XML", JUnitPath)
}

// Tested returns the container after the test command ran. A failing test does
// not fail this container: read its exit code, and TestReport, to judge.
func (p *Pipeline) Tested() *dagger.Container {
	cmd := p.opts.TestCommand
	expand := len(cmd) > 0
	if !expand {
		cmd = []string{"python", "-m", "pytest", "-p", "no:cacheprovider", "-o", "junit_family=xunit2", "--junitxml=" + JUnitPath}
	}
	return p.TestEnv().
		WithDirectory(reportDir, p.dag.Directory()).
		WithExec(cmd, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny, Expand: expand})
}

// TestReport is the JUnit XML the test command wrote, passing or not.
func (p *Pipeline) TestReport() *dagger.File {
	return p.Tested().File(JUnitPath)
}

// TestResult is what a test run yielded.
type TestResult struct {
	// Summary counts testcases and names the failing ones.
	Summary junit.Summary
	// ExitCode is the test command's exit code.
	ExitCode int
	// Output is the test command's standard output (pytest's report).
	Output string
}

// ErrTestsFailed is wrapped by the error CheckTests returns when tests fail.
var ErrTestsFailed = errors.New("tests failed")

// CheckTests runs the tests and writes the JUnit report to reportPath on the
// host (when not empty), also when tests fail. It fails when the test command
// fails, naming the failing tests.
func (p *Pipeline) CheckTests(ctx context.Context, reportPath string) (TestResult, error) {
	ctr := p.Tested()
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return TestResult{}, fmt.Errorf("test: %w", Explain(err))
	}
	res := TestResult{ExitCode: code}
	res.Output, _ = ctr.Stdout(ctx)
	report, err := ctr.File(JUnitPath).Contents(ctx)
	if err != nil {
		return res, failf(ErrTestsFailed, "test: the test command (exit %d) wrote no JUnit report at %s", code, JUnitPath)
	}
	if reportPath != "" {
		if err := writeHostFile(reportPath, []byte(report)); err != nil {
			return res, fmt.Errorf("test: %w", err)
		}
	}
	if res.Summary, err = junit.Parse([]byte(report)); err != nil {
		return res, fmt.Errorf("test: %w", err)
	}
	switch {
	case code == 5 && res.Summary.Tests == 0:
		return res, failf(ErrTestsFailed, "test: pytest collected no tests: add tests under tests/ (test_*.py)")
	case code != 0 && len(res.Summary.Failed) > 0:
		return res, failf(ErrTestsFailed, "test: %s; failing: %s", res.Summary, joinMax(res.Summary.Failed, 5))
	case code != 0:
		return res, failf(ErrTestsFailed, "test: the test command exited %d (%s)", code, res.Summary)
	}
	return res, nil
}
