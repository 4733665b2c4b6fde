package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLastFrom(t *testing.T) {
	tests := []struct {
		name, dockerfile, want string
	}{
		{"simple", "FROM python:3.11-slim\nRUN true\n", "python:3.11-slim"},
		{"lowercase and platform flag", "from --platform=$BUILDPLATFORM python:3.12\n", "python:3.12"},
		{"multi-stage last wins", "FROM golang:1.26 AS build\nFROM debian:bookworm-slim\n", "debian:bookworm-slim"},
		{"stage reference resolves", "FROM python:3.11-slim AS base\nRUN x\nFROM base\n", "python:3.11-slim"},
		{"arg image unknown", "ARG IMG=python\nFROM $IMG\n", ""},
		{"no from", "RUN echo\n", ""},
		{"from without image", "FROM\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LastFrom(tt.dockerfile); got != tt.want {
				t.Errorf("LastFrom() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsPythonImage(t *testing.T) {
	for ref, want := range map[string]bool{
		"python:3.11-slim":           true,
		"docker.io/library/python:3": true,
		"python":                     true,
		"python@sha256:abc":          true,
		"pythonista:1":               false,
		"debian:bookworm-slim":       false,
		"":                           false,
	} {
		if got := IsPythonImage(ref); got != want {
			t.Errorf("IsPythonImage(%q) = %v, want %v", ref, got, want)
		}
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "requirements.txt", "flask\n")
	write(t, dir, "requirements-dev.txt", "pytest\n")
	write(t, dir, "Dockerfile", "FROM python:3.12-slim\n")
	p, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Dockerfile != "Dockerfile" || p.BaseImage != "python:3.12-slim" {
		t.Errorf("Dockerfile=%q BaseImage=%q", p.Dockerfile, p.BaseImage)
	}
	if len(p.Requirements) != 1 || len(p.DevRequirements) != 1 || p.DevRequirements[0] != "requirements-dev.txt" {
		t.Errorf("requirements=%v dev=%v", p.Requirements, p.DevRequirements)
	}
	if err := p.RequireDockerfile(""); err != nil {
		t.Errorf("RequireDockerfile: %v", err)
	}
}

func TestInspectErrors(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(empty, "file")
	write(t, empty, "file", "x")
	tests := []struct {
		name, dir, want string
	}{
		{"missing folder", filepath.Join(empty, "nope"), "does not exist"},
		{"file not folder", file, "is a file"},
		{"not python", empty, "not a Python project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Inspect(tt.dir, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestRequirementOutsideSource(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "requirements.txt", "../lib\n")
	if _, err := Inspect(dir, ""); err == nil || !strings.Contains(err.Error(), "outside the source folder") {
		t.Errorf("err = %v", err)
	}
}

func TestMissingDockerfile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "pyproject.toml", "[project]\nname='x'\n")
	p, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	err = p.RequireDockerfile("")
	if !errors.Is(err, ErrNoDockerfile) {
		t.Fatalf("err = %v, want ErrNoDockerfile", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, "Dockerfile")) {
		t.Errorf("error %q does not name the missing file", err)
	}
}

func FuzzLastFrom(f *testing.F) {
	f.Add("FROM python:3.11 AS a\nFROM a\n")
	f.Add("FROM --platform=x\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := LastFrom(s)
		if strings.ContainsAny(got, " \n\t$") {
			t.Errorf("LastFrom returned %q", got)
		}
	})
}

func TestLocalRequirementPaths(t *testing.T) {
	req := "flask>=2\n./packages/greetkit\n-e ./libs/core # editable\nfile:./vendored[extra]\n../shared\n./packages/greetkit/\nhttps://x/y.whl\n# ./comment\n"
	got := LocalRequirementPaths(req)
	want := []string{"packages/greetkit", "libs/core", "vendored", "../shared"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("LocalRequirementPaths = %v, want %v", got, want)
	}
}
