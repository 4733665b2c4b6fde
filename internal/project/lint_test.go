package project

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestLinter(t *testing.T) {
	tests := []struct {
		name       string
		files      fstest.MapFS
		configured string
		want       LintChoice
	}{
		{"default", fstest.MapFS{"requirements.txt": file("")}, "", LintChoice{Flake8, "the default"}},
		{"onepipe.yaml wins", fstest.MapFS{"requirements.txt": file(""), "ruff.toml": file("")}, "flake8", LintChoice{Flake8, "lint.tool in onepipe.yaml"}},
		{"pyproject configures ruff", fstest.MapFS{"pyproject.toml": file("[tool.ruff]\nline-length = 100\n")}, "", LintChoice{Ruff, "pyproject.toml configures ruff"}},
		{"ruff.toml", fstest.MapFS{"requirements.txt": file(""), "ruff.toml": file("")}, "", LintChoice{Ruff, "ruff.toml configures ruff"}},
		{".ruff.toml", fstest.MapFS{"requirements.txt": file(""), ".ruff.toml": file("")}, "", LintChoice{Ruff, ".ruff.toml configures ruff"}},
		{"flake8 settings win over ruff's", fstest.MapFS{"pyproject.toml": file("[tool.ruff]\n"), "setup.cfg": file("[metadata]\n[flake8]\nmax-line-length = 120\n")}, "", LintChoice{Flake8, "setup.cfg configures flake8"}},
		{"tox.ini", fstest.MapFS{"requirements.txt": file(""), "tox.ini": file("[tox]\n[flake8]\n")}, "", LintChoice{Flake8, "tox.ini configures flake8"}},
		{".flake8", fstest.MapFS{"requirements.txt": file(""), ".flake8": file("[flake8]\n")}, "", LintChoice{Flake8, ".flake8 configures flake8"}},
		{"setup.cfg without flake8", fstest.MapFS{"requirements.txt": file(""), "setup.cfg": file("[tool:pytest]\n"), "ruff.toml": file("")}, "", LintChoice{Ruff, "ruff.toml configures ruff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := InspectFS(tt.files, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Linter(tt.configured); got != tt.want {
				t.Errorf("Linter(%q) = %+v, want %+v", tt.configured, got, tt.want)
			}
		})
	}
}

func TestLintRequirements(t *testing.T) {
	p, err := InspectFS(fstest.MapFS{
		"requirements.txt":     file("flask\n"),
		"requirements-dev.txt": file("pytest\nflake8>=6,<8\nFlake8_Bugbear==23.1 --hash=sha256:abc\n./tools\n"),
		"pyproject.toml":       file("[project]\nname = \"a\"\n[project.optional-dependencies]\nlint = [\"ruff==0.5.0\", \"flake8>=6,<8\"]\n"),
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"flake8>=6,<8", "Flake8_Bugbear==23.1", "ruff==0.5.0"}
	if got := p.LintRequirements(); !slices.Equal(got, want) {
		t.Errorf("LintRequirements = %q, want %q", got, want)
	}
}
