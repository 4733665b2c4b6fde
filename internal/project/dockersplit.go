package project

import (
	"bufio"
	"encoding/json"
	"strings"
)

// DockerfileSplit is a single-stage Dockerfile cut after its last RUN: the
// prefix builds the environment (base image, system packages, the app's
// dependencies), the suffix only adds the app and its metadata on top.
// onepipe keeps the prefix's image in the registry cache, keyed by
// everything it reads, so that a fresh engine does not run those RUN steps
// again when only the app changed.
type DockerfileSplit struct {
	// Base is the FROM image.
	Base string
	// Prefix is the Dockerfile up to and including the last RUN.
	Prefix string
	// Suffix is the rest, without a FROM: COPY, ENV, USER, CMD ...
	Suffix string
	// Sources are the paths the prefix copies from the build context.
	Sources []string
}

// SplitDockerfile cuts text after its last RUN. ok is false when the
// Dockerfile is not one that can be cut without changing what it builds:
// several stages, ARGs (their scope ends at the cut), parser directives,
// heredocs, COPY --from, ONBUILD, remote ADD, or no RUN at all.
func SplitDockerfile(text string) (s DockerfileSplit, ok bool) {
	var instrs []string
	sc := bufio.NewScanner(strings.NewReader(text))
	var cur strings.Builder
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			if strings.HasPrefix(strings.ToLower(strings.ReplaceAll(trimmed, " ", "")), "#syntax=") ||
				strings.HasPrefix(strings.ToLower(strings.ReplaceAll(trimmed, " ", "")), "#escape=") {
				return DockerfileSplit{}, false // parser directives
			}
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		instrs = append(instrs, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		instrs = append(instrs, strings.TrimSpace(cur.String()))
	}
	lastRun, froms := -1, 0
	for i, in := range instrs {
		word, rest, _ := strings.Cut(in, " ")
		switch strings.ToUpper(word) {
		case "FROM":
			froms++
			f := strings.Fields(rest)
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				f = f[1:]
			}
			if len(f) == 0 || strings.Contains(f[0], "$") || len(f) > 1 {
				return DockerfileSplit{}, false // a named or dynamic stage
			}
			s.Base = f[0]
		case "RUN":
			lastRun = i
		case "ARG", "ONBUILD":
			return DockerfileSplit{}, false
		case "COPY", "ADD":
			if strings.Contains(rest, "--from") {
				return DockerfileSplit{}, false
			}
		}
		if strings.Contains(in, "<<") {
			return DockerfileSplit{}, false // heredoc
		}
	}
	if froms != 1 || lastRun < 1 || !strings.EqualFold(strings.Fields(instrs[0])[0], "FROM") {
		return DockerfileSplit{}, false
	}
	for _, in := range instrs[:lastRun+1] {
		word, rest, _ := strings.Cut(in, " ")
		if w := strings.ToUpper(word); w == "COPY" || w == "ADD" {
			srcs, ok := copySources(rest)
			if !ok {
				return DockerfileSplit{}, false
			}
			s.Sources = append(s.Sources, srcs...)
		}
	}
	s.Prefix = strings.Join(instrs[:lastRun+1], "\n") + "\n"
	if rest := instrs[lastRun+1:]; len(rest) > 0 {
		s.Suffix = strings.Join(rest, "\n") + "\n"
	}
	return s, true
}

// copySources returns the context paths of a COPY or ADD (flags and the
// destination left out); ok is false for remote sources.
func copySources(args string) ([]string, bool) {
	args = strings.TrimSpace(args)
	var words []string
	for _, f := range strings.Fields(args) {
		if len(words) == 0 && strings.HasPrefix(f, "--") {
			continue // --chown=, --chmod=, --link
		}
		words = append(words, f)
	}
	if len(words) > 0 && strings.HasPrefix(words[0], "[") {
		// the JSON form: ["src", ..., "dest"]
		var list []string
		if err := json.Unmarshal([]byte(strings.Join(words, " ")), &list); err != nil {
			return nil, false
		}
		words = list
	}
	if len(words) < 2 {
		return nil, false
	}
	srcs := words[:len(words)-1]
	for _, src := range srcs {
		if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			return nil, false
		}
	}
	return srcs, true
}
