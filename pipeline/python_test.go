package pipeline

import (
	"slices"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/internal/versions"
)

func TestInstallCommand(t *testing.T) {
	tests := []struct {
		name        string
		files, reqs []string
		want        []string
	}{
		{"nothing", nil, nil, nil},
		{"files", []string{"requirements.txt", "requirements-dev.txt"}, nil,
			[]string{"python", "-m", "pip", "install", "-r", "requirements.txt", "-r", "requirements-dev.txt"}},
		{"pyproject only", nil, []string{"flask>=3", `requests ; python_version > "3.8"`},
			[]string{"python", "-m", "pip", "install", "flask>=3", `requests ; python_version > "3.8"`}},
		{"both in one resolver run", []string{"requirements.txt"}, []string{"pytest"},
			[]string{"python", "-m", "pip", "install", "-r", "requirements.txt", "pytest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := installCommand(tt.files, tt.reqs); !slices.Equal(got, tt.want) {
				t.Errorf("installCommand = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInstallInputs(t *testing.T) {
	tests := []struct {
		name         string
		files, paths []string
		want         []string
		whole        bool
	}{
		{"nothing", nil, nil, nil, false},
		{"files only", []string{"requirements.txt"}, nil, []string{"requirements.txt"}, false},
		{"folders and includes", []string{"requirements.txt"}, []string{"packages/greetkit", "requirements/base.txt"},
			[]string{"requirements.txt", "packages/greetkit", "packages/greetkit/**", "requirements/base.txt", "requirements/base.txt/**"}, false},
		{"the source itself", []string{"requirements-dev.txt"}, []string{"libs", "."}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, whole := installInputs(tt.files, tt.paths)
			if !slices.Equal(got, tt.want) || whole != tt.whole {
				t.Errorf("installInputs = %q, %v, want %q, %v", got, whole, tt.want, tt.whole)
			}
		})
	}
}

func TestProjectInstallCommand(t *testing.T) {
	for mode, want := range map[ProjectInstall][]string{
		project.InstallNone:     nil,
		project.InstallNoDeps:   {"python", "-m", "pip", "install", "--no-deps", projectDir},
		project.InstallWithDeps: {"python", "-m", "pip", "install", projectDir},
	} {
		if got := projectInstallCommand(mode); !slices.Equal(got, want) {
			t.Errorf("projectInstallCommand(%q) = %q, want %q", mode, got, want)
		}
	}
}

func TestLintPackages(t *testing.T) {
	declared := []string{"flake8>=6,<8", "Flake8_Bugbear==23.1", "ruff==0.5.0"}
	tests := []struct {
		name     string
		tool     string
		declared []string
		want     []string
	}{
		{"flake8 default", "flake8", nil, []string{versions.Flake8}},
		{"ruff default", "ruff", nil, []string{versions.Ruff}},
		{"the project's flake8 pin and plugins", "flake8", declared, []string{"flake8>=6,<8", "Flake8_Bugbear==23.1"}},
		{"plugins without a pin get the default", "flake8", []string{"flake8-bugbear"}, []string{versions.Flake8, "flake8-bugbear"}},
		{"the project's ruff pin", "ruff", declared, []string{"ruff==0.5.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lintPackages(tt.tool, tt.declared); !slices.Equal(got, tt.want) {
				t.Errorf("lintPackages = %q, want %q", got, tt.want)
			}
		})
	}
}

// The linters find the project's settings in their working directory, the
// source root: the command must not point elsewhere or override them.
func TestLintCommandKeepsProjectSettings(t *testing.T) {
	tests := []struct {
		tool  string
		paths []string
		want  []string
	}{
		{"flake8", nil, []string{"python", "-m", "flake8", "--output-file=" + LintReportPath, "."}},
		{"flake8", []string{"app", "tests"}, []string{"python", "-m", "flake8", "--output-file=" + LintReportPath, "app", "tests"}},
		{"ruff", nil, []string{"ruff", "check", "--output-format=concise", "--no-cache", "--output-file=" + LintReportPath, "."}},
	}
	for _, tt := range tests {
		got := lintCommand(tt.tool, tt.paths)
		if !slices.Equal(got, tt.want) {
			t.Errorf("lintCommand(%s, %q) = %q, want %q", tt.tool, tt.paths, got, tt.want)
		}
		for _, arg := range got {
			for _, override := range []string{"--config", "--isolated", "--append-config", "--max-line-length", "--select", "--ignore", "--exclude", "--extend-", "--line-length", "--target-version"} {
				if strings.HasPrefix(arg, override) {
					t.Errorf("lintCommand(%s) passes %s, which overrides the project's settings", tt.tool, arg)
				}
			}
		}
	}
}

func TestRuffFallback(t *testing.T) {
	tool, note := ruffFallback("pyproject.toml configures ruff", "ERROR: No matching distribution found for ruff<1,>=0.4")
	want := "pyproject.toml configures ruff, but ruff cannot be installed (No matching distribution found for ruff<1,>=0.4): linted with flake8 instead"
	if tool != "flake8" || note != want {
		t.Errorf("ruffFallback = %q, %q, want flake8, %q", tool, note, want)
	}
	if _, note := ruffFallback("", ""); note != "ruff cannot be installed: linted with flake8 instead" {
		t.Errorf("bare note = %q", note)
	}
}
