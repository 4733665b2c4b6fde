package pipeline

import (
	"context"
	"errors"
	"fmt"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/junit"
)

const (
	appDir    = "/app"
	reportDir = "/tmp/onepipe"
	// JUnitPath is where the test command writes its JUnit XML, inside the container.
	JUnitPath = reportDir + "/junit.xml"
)

// Dependencies returns the runtime image with what the tests need installed:
// the requirement files (runtime and dev) and what pyproject.toml declares
// for the tests (its dependencies and test extra), in one pip run. The layer
// sees only those declarations and the local paths they name (./pkg, -r
// base.txt), so editing app code never reinstalls packages.
func (p *Pipeline) Dependencies() *dagger.Container {
	if p.deps != nil {
		return p.deps
	}
	ctr := p.python()
	files := p.testFiles()
	install := installCommand(files, p.opts.PyProjectRequirements)
	if install == nil {
		return ctr
	}
	switch include, whole := installInputs(files, p.opts.RequirementPaths); {
	case whole:
		ctr = ctr.WithDirectory(appDir, p.source)
	case len(include) > 0:
		ctr = ctr.WithDirectory(appDir, p.source.Filter(dagger.DirectoryFilterOpts{Include: include}))
	}
	return ctr.WithExec(install)
}

// TestEnv returns the container tests run in: the dependencies, the app
// itself installed when pyproject.toml makes it a package (from a copy of
// the source, without its dependencies, which are installed already), and
// the source on top.
func (p *Pipeline) TestEnv() *dagger.Container {
	ctr := p.Dependencies()
	if install := projectInstallCommand(p.opts.InstallProject); install != nil {
		ctr = ctr.
			WithMountedDirectory(projectDir, p.source).
			WithExec(install).
			WithoutMount(projectDir)
	}
	return ctr.
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

// TestResult is what a test run yielded.
type TestResult struct {
	// Summary counts testcases and names the failing ones.
	Summary junit.Summary
	// ExitCode is the test command's exit code.
	ExitCode int
	// Output is the test command's standard output (pytest's report).
	Output string
	// Report is the JUnit XML the test command wrote (nil when it wrote none).
	Report *dagger.File
}

// ErrTestsFailed is wrapped by the error CheckTests returns when tests fail.
var ErrTestsFailed = errors.New("tests failed")

// CheckTests runs the tests and returns their JUnit report as a file, also
// when tests fail. It fails when the test command fails, naming the failing
// tests.
func (p *Pipeline) CheckTests(ctx context.Context) (TestResult, error) {
	ctr := p.Tested()
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return TestResult{}, fmt.Errorf("test: %w", Explain(err))
	}
	res := TestResult{ExitCode: code}
	res.Output, _ = ctr.Stdout(ctx)
	file := ctr.File(JUnitPath)
	report, err := file.Contents(ctx)
	if err != nil {
		return res, failf(ErrTestsFailed, "test: the test command (exit %d) wrote no JUnit report at %s", code, JUnitPath)
	}
	res.Report = file
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
