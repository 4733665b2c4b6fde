package pipeline

import (
	"context"
	"errors"
	"fmt"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/junit"
)

// LintReportPath is where the linter's findings are written, inside the container.
const LintReportPath = reportDir + "/lint.txt"

// ErrLintFindings is wrapped by the error CheckLint returns when lint finds problems.
var ErrLintFindings = errors.New("lint findings")

// LintEnv returns the runtime image with the linter installed. It does not
// install the app's requirements: linters read source, they do not import it.
func (p *Pipeline) LintEnv() *dagger.Container {
	pkg := Flake8Version
	if p.opts.LintTool == "ruff" {
		pkg = RuffVersion
	}
	return p.Dependencies().
		WithExec([]string{"python", "-m", "pip", "install", pkg}).
		WithDirectory(appDir, p.source).
		WithDirectory(reportDir, p.dag.Directory())
}

// Linted returns the container after the linter ran; findings do not fail it.
func (p *Pipeline) Linted() *dagger.Container {
	paths := p.opts.LintPaths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var cmd []string
	if p.opts.LintTool == "ruff" {
		cmd = append([]string{"ruff", "check", "--output-format=concise", "--no-cache", "--output-file=" + LintReportPath}, paths...)
	} else {
		cmd = append([]string{"python", "-m", "flake8", "--output-file=" + LintReportPath}, paths...)
	}
	return p.LintEnv().WithExec(cmd, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
}

// LintReport is the linter's findings as text (path:line:col: CODE message).
func (p *Pipeline) LintReport() *dagger.File {
	return p.Linted().File(LintReportPath)
}

// LintResult is what a lint run yielded.
type LintResult struct {
	// Findings are the problems the linter reported.
	Findings []junit.Finding
	// ExitCode is the linter's exit code.
	ExitCode int
}

// CheckLint runs the linter and writes its text report to textPath and a JUnit
// rendering of it to junitPath on the host (each when not empty). It fails
// when the linter reports findings or cannot run.
func (p *Pipeline) CheckLint(ctx context.Context, textPath, junitPath string) (LintResult, error) {
	ctr := p.Linted()
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return LintResult{}, fmt.Errorf("lint: %w", Explain(err))
	}
	text, err := ctr.File(LintReportPath).Contents(ctx)
	if err != nil {
		stderr, _ := ctr.Stderr(ctx)
		return LintResult{ExitCode: code}, fmt.Errorf("lint: %s exited %d without a report: %s", p.opts.LintTool, code, lastLine(stderr))
	}
	res := LintResult{ExitCode: code, Findings: junit.ParseFindings(text)}
	if textPath != "" {
		if err := writeHostFile(textPath, []byte(text)); err != nil {
			return res, fmt.Errorf("lint: %w", err)
		}
	}
	if junitPath != "" {
		xml, err := junit.LintReport(p.opts.LintTool, res.Findings)
		if err == nil {
			err = writeHostFile(junitPath, xml)
		}
		if err != nil {
			return res, fmt.Errorf("lint: %w", err)
		}
	}
	if code != 0 {
		return res, failf(ErrLintFindings, "lint: %s reported %d findings (first: %s)", p.opts.LintTool, len(res.Findings), firstFinding(res.Findings))
	}
	return res, nil
}

func firstFinding(fs []junit.Finding) string {
	if len(fs) == 0 {
		return "none parsed"
	}
	f := fs[0]
	return fmt.Sprintf("%s:%d:%d %s %s", f.File, f.Line, f.Column, f.Code, f.Message)
}
