// Package manifest renders an app's Kubernetes manifest templates for one
// environment and checks the objects they describe before anything reaches a
// cluster.
//
// Every *.yaml (and *.yml) file of the manifests folder is a Go text/template
// executed with a Values: {{ .Image }}, {{ .Replicas }}, {{ .Host }} and so on.
// A value the template names but Values lacks is an error, never an empty
// string. Secret values never pass through templates: only the names of the
// secret keys do (.SecretNames), and the Secret object itself, named
// .SecretObjectName, is made by the deploy stage.
package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Values are what a manifest template can refer to.
type Values struct {
	// App is the application's name ({{ .App }}), e.g. conduit.
	App string
	// Environment is the environment's name, e.g. dev or prod.
	Environment string
	// Namespace is the Kubernetes namespace every object goes to.
	Namespace string
	// Image is the full image reference the pack and publish stages made,
	// e.g. registry.example.com/acme/conduit:1a2b3c4d.
	Image string
	// Version is the release version (the image tag), e.g. 1a2b3c4d or v1.2.3.
	Version string
	// Replicas of the app.
	Replicas int
	// Host is the ingress host name; empty when the environment has none.
	Host string
	// Port is the port the app listens on in its container.
	Port int
	// Vars are the environment's plain variables for the app.
	Vars map[string]string
	// SecretNames are the keys of the app's Secret (its environment
	// variable names), sorted; never the values.
	SecretNames []string
	// Migration is the migration command, e.g. [flask db upgrade]; empty
	// when there is none.
	Migration []string
	// Labels are added by the templates to every object's metadata.
	Labels map[string]string
}

// ImageID is 8 hex characters that change whenever Image does, for names
// that must be new with each release, such as the migration Job's
// ({{ .App }}-migrate-{{ .ImageID }}): each release then migrates once.
func (v Values) ImageID() string {
	sum := sha256.Sum256([]byte(v.Image))
	return hex.EncodeToString(sum[:4])
}

// SecretObjectName is the name of the Secret the deploy stage makes from the
// environment's secrets: <app>-secrets.
func (v Values) SecretObjectName() string { return SecretObjectName(v.App) }

// SecretObjectName is the name of the Secret holding app's secrets.
func SecretObjectName(app string) string { return app + "-secrets" }

// StandardLabels are the labels onepipe gives the objects of app in env:
// the recommended app.kubernetes.io ones plus the environment.
func StandardLabels(app, env, version string) map[string]string {
	l := map[string]string{
		"app.kubernetes.io/part-of":    app,
		"app.kubernetes.io/managed-by": "onepipe",
		"onepipe.dev/environment":      env,
	}
	if version != "" {
		l["app.kubernetes.io/version"] = version
	}
	return l
}

var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelValue   = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
	labelName    = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
)

// Validate checks the values before any template sees them.
func (v Values) Validate() error {
	switch {
	case !isDNSLabel(v.App):
		return fmt.Errorf("app %q: use up to 63 lowercase letters, digits and dashes", v.App)
	case v.Environment == "":
		return fmt.Errorf("environment is empty")
	case !isDNSLabel(v.Namespace):
		return fmt.Errorf("namespace %q: use up to 63 lowercase letters, digits and dashes", v.Namespace)
	case v.Image == "":
		return fmt.Errorf("image is empty: the deploy needs the image the publish stage pushed")
	case v.Replicas < 0:
		return fmt.Errorf("replicas %d is negative", v.Replicas)
	case v.Port < 1 || v.Port > 65535:
		return fmt.Errorf("port %d: use a port between 1 and 65535", v.Port)
	case v.Host != "" && (len(v.Host) > 253 || !dnsSubdomain.MatchString(v.Host)):
		return fmt.Errorf("host %q: use a lowercase DNS name, e.g. shop.example.com", v.Host)
	}
	for _, k := range sortedKeys(v.Labels) {
		if err := checkLabel(k, v.Labels[k]); err != nil {
			return err
		}
	}
	for _, s := range v.SecretNames {
		if s == "" {
			return fmt.Errorf("secret names: one is empty")
		}
	}
	return nil
}

func checkLabel(k, val string) error {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		prefix := k[:i]
		name = k[i+1:]
		if len(prefix) > 253 || !dnsSubdomain.MatchString(prefix) {
			return fmt.Errorf("label %q: the prefix before / must be a DNS name", k)
		}
	}
	if len(name) > 63 || !labelName.MatchString(name) {
		return fmt.Errorf("label %q: use up to 63 letters, digits, -, _ and . after the prefix", k)
	}
	if len(val) > 63 || !labelValue.MatchString(val) {
		return fmt.Errorf("label %s=%q: values are up to 63 letters, digits, -, _ and .", k, val)
	}
	return nil
}

func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

func isDNSSubdomain(s string) bool { return len(s) <= 253 && dnsSubdomain.MatchString(s) }

// quote renders s as a double-quoted YAML scalar (JSON string syntax, which
// YAML reads the same), so values with colons, quotes or # stay one string.
func quote(s any) string {
	b, err := json.Marshal(fmt.Sprint(s))
	if err != nil { // a string always marshals
		return `""`
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
