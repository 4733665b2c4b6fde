package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitDockerfileTheExamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "flask", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := SplitDockerfile(string(data))
	if !ok {
		t.Fatal("the Flask example's Dockerfile was not split")
	}
	if s.Base != "python:3.11-slim" || strings.Join(s.Sources, ",") != "requirements.txt" {
		t.Errorf("base %q, sources %q", s.Base, s.Sources)
	}
	if !strings.HasSuffix(s.Prefix, "RUN pip install --no-cache-dir -r requirements.txt\n") || strings.Contains(s.Prefix, "conduit") {
		t.Errorf("prefix:\n%s", s.Prefix)
	}
	if !strings.HasPrefix(s.Suffix, "COPY conduit conduit\n") || !strings.Contains(s.Suffix, "CMD [") || strings.Contains(s.Suffix, "FROM") {
		t.Errorf("suffix:\n%s", s.Suffix)
	}
}

func TestSplitDockerfile(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		ok         bool
		sources    string
	}{
		{"continuation and flags", "FROM python:3.12\nCOPY --chown=app:app requirements.txt \\\n  constraints.txt /app/\nRUN pip install \\\n  -r /app/requirements.txt\nCOPY . /app\n", true, "requirements.txt,constraints.txt"},
		{"json copy", "FROM python:3.12\nCOPY [\"req.txt\", \"/app/\"]\nRUN pip install -r /app/req.txt\nCOPY . .\n", true, "req.txt"},
		{"whole source before the run", "FROM python:3.12\nCOPY . .\nRUN pip install .\nCMD [\"app\"]\n", true, "."},
		{"multi-stage", "FROM python:3.12 AS build\nRUN pip wheel .\nFROM python:3.12\nRUN echo\n", false, ""},
		{"arg", "ARG PY=3.12\nFROM python:$PY\nRUN echo\n", false, ""},
		{"copy from", "FROM python:3.12\nCOPY --from=builder /x /x\nRUN echo\n", false, ""},
		{"no run", "FROM python:3.12\nCOPY . .\nCMD [\"x\"]\n", false, ""},
		{"syntax directive", "# syntax=docker/dockerfile:1\nFROM python:3.12\nRUN echo\n", false, ""},
		{"heredoc", "FROM python:3.12\nRUN <<EOF\necho\nEOF\n", false, ""},
		{"remote add", "FROM python:3.12\nADD https://example.com/x.tgz /x\nRUN echo\n", false, ""},
	} {
		s, ok := SplitDockerfile(tt.text)
		if ok != tt.ok || (ok && strings.Join(s.Sources, ",") != tt.sources) {
			t.Errorf("%s: ok %v sources %q, want %v %q", tt.name, ok, s.Sources, tt.ok, tt.sources)
		}
	}
}
