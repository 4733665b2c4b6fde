// Package azure talks to Azure from the onepipe process: Microsoft Entra ID
// tokens for a service principal, Azure Resource Manager through one client
// (a Function App's container image, app settings, restart; an AKS cluster
// made sure of and its kubeconfig), Kudu zip deploy, Azure DevOps pipeline
// runs, and the smoke test that follows a deploy. It uses net/http (through
// internal/arm) alone; no az CLI is needed.
//
// Every client has injectable base URLs and an *http.Client so tests point
// it at httptest servers, and every wait is bounded by a timeout.
package azure

import (
	"context"
	"fmt"
	"strings"
)

// Secret is a secret the caller holds but has not read yet. *dagger.Secret
// satisfies it, so a secret resolved from onepipe.yaml reaches this package
// without being read; PlainSecret wraps a value already in memory.
type Secret interface {
	Plaintext(ctx context.Context) (string, error)
}

// PlainSecret is a secret value already in memory (tests, or values read
// from the CI's environment by the caller).
type PlainSecret string

// Plaintext returns the value.
func (s PlainSecret) Plaintext(context.Context) (string, error) { return string(s), nil }

// reveal is the one place where a Secret becomes a string: the HTTP edge,
// right before a request is built. The value goes into a header or a form
// body and nowhere else; callers pass it in arm.Request.Secrets so no error
// repeats it.
func reveal(ctx context.Context, what string, s Secret) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%s: no secret given", what)
	}
	v, err := s.Plaintext(ctx)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("%s: the secret is empty", what)
	}
	return v, nil
}
