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

// LintEnv returns the runtime image with the linter installed: the
// project's own pin and flake8 plugins (Options.LintRequirements), else the
// pinned default. It does not install the app's requirements: linters read
// source, they do not import it.
func (p *Pipeline) LintEnv() *dagger.Container {
	return p.LintTools().
		WithDirectory(appDir, p.source).
		WithDirectory(reportDir, p.dag.Directory())
}

// LintTools is the runtime image with the linter (and the project's
// linter plugins) installed.
func (p *Pipeline) LintTools() *dagger.Container {
	if p.lintTools != nil {
		return p.lintTools
	}
	return p.python().WithExec(p.lintInstall())
}

// lintInstall is the pip command that installs the linter.
func (p *Pipeline) lintInstall() []string {
	return append([]string{"python", "-m", "pip", "install"}, lintPackages(p.opts.LintTool, p.opts.LintRequirements)...)
}

// Linted returns the container after the linter ran, in the source root
// with the project's own settings; findings do not fail it.
func (p *Pipeline) Linted() *dagger.Container {
	cmd := lintCommand(p.opts.LintTool, p.opts.LintPaths)
	return p.LintEnv().WithExec(cmd, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
}

// LintResult is what a lint run yielded.
type LintResult struct {
	// Findings are the problems the linter reported.
	Findings []junit.Finding
	// ExitCode is the linter's exit code.
	ExitCode int
	// Text is the linter's findings as text (path:line:col: CODE message).
	Text *dagger.File
	// JUnit renders the findings as a JUnit report, for CI test tabs.
	JUnit *dagger.File
}

// CheckLint runs the linter and returns its report as text and as JUnit
// files. It fails when the linter reports findings or cannot run.
func (p *Pipeline) CheckLint(ctx context.Context) (LintResult, error) {
	ctr := p.Linted()
	code, err := ctr.ExitCode(ctx)
	if err != nil {
		return LintResult{}, fmt.Errorf("lint: %w", Explain(err))
	}
	file := ctr.File(LintReportPath)
	text, err := file.Contents(ctx)
	if err != nil {
		stderr, _ := ctr.Stderr(ctx)
		return LintResult{ExitCode: code}, fmt.Errorf("lint: %s exited %d without a report: %s", p.opts.LintTool, code, lastLine(stderr))
	}
	res := LintResult{ExitCode: code, Findings: junit.ParseFindings(text), Text: file}
	xml, err := junit.LintReport(p.opts.LintTool, res.Findings)
	if err != nil {
		return res, fmt.Errorf("lint: %w", err)
	}
	res.JUnit = p.dag.Directory().WithNewFile("lint-junit.xml", string(xml)).File("lint-junit.xml")
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
