package helm

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Values are what onepipe tells a chart about the release, under the
// onepipe: key of a values file of its own (ValuesFile). The chart reads
// them like any value: {{ .Values.onepipe.host }}.
type Values struct {
	// App names the app (onepipe.yaml's app).
	App string `json:"app"`
	// Environment names the environment, e.g. dev.
	Environment string `json:"environment"`
	// Namespace is the release's namespace.
	Namespace string `json:"namespace"`
	// Version is the release version (the image tag), e.g. 1a2b3c4d.
	Version string `json:"version"`
	// Image is the whole image reference, also given as image.repository
	// and image.tag (ImageValuesFile).
	Image string `json:"image"`
	// Host is the environment's ingress host ("" when it has none).
	Host string `json:"host"`
	// Replicas of the app.
	Replicas int `json:"replicas"`
	// Port is the port the app listens on in its container.
	Port int `json:"port"`
	// Vars are the environment's plain variables.
	Vars map[string]string `json:"vars"`
	// SecretNames are the names of the environment's secrets (their values
	// come in a values file of their own, SecretValuesFile), sorted.
	SecretNames []string `json:"secretNames"`
	// Migration is the migration command ([] when there is none).
	Migration []string `json:"migration"`
}

// ValuesFile is v as a values file: onepipe: {app: ..., ...}.
func ValuesFile(v Values) ([]byte, error) {
	if v.Vars == nil {
		v.Vars = map[string]string{}
	}
	if v.SecretNames == nil {
		v.SecretNames = []string{}
	}
	if v.Migration == nil {
		v.Migration = []string{}
	}
	return marshal(map[string]any{"onepipe": v})
}

// SecretValuesFile holds the environment's secrets by variable name, as
// onepipe.secrets; helm merges it with ValuesFile's onepipe:. It is handed
// to the engine as a secret, never written to the log.
func SecretValuesFile(secrets map[string]string) ([]byte, error) {
	s := make(map[string]string, len(secrets))
	maps.Copy(s, secrets)
	return marshal(map[string]any{"onepipe": map[string]any{"secrets": s}})
}

// ImageValuesFile gives the image as image.repository and image.tag (with
// @digest when the image was pushed: repo:tag@sha256:... still names it),
// the keys the helm create scaffold reads. It is the last values file, so
// no other overrides the image.
func ImageValuesFile(ref string) ([]byte, error) {
	repo, tag := SplitImage(ref)
	return marshal(map[string]any{"image": map[string]string{"repository": repo, "tag": tag}})
}

// SplitImage splits repo:tag[@digest] into repo and tag[@digest]; a
// reference without a tag gets tag "" (the chart's default).
func SplitImage(ref string) (repo, tag string) {
	name, digest, hasDigest := strings.Cut(ref, "@")
	slash := strings.LastIndex(name, "/")
	if i := strings.LastIndex(name, ":"); i > slash {
		repo, tag = name[:i], name[i+1:]
	} else {
		repo = name
	}
	if hasDigest {
		if tag == "" {
			return repo + "@" + digest, ""
		}
		tag += "@" + digest
	}
	return repo, tag
}

// Describe lists what ValuesFile and SecretValuesFile give, for the plan:
// "onepipe.app, .environment, ..., .secrets (SECRET_KEY, ...)".
func (v Values) Describe() string {
	keys := []string{"app", "environment", "namespace", "version", "image", "host", "replicas", "port"}
	if len(v.Vars) > 0 {
		keys = append(keys, "vars ("+strings.Join(slices.Sorted(maps.Keys(v.Vars)), ", ")+")")
	}
	if len(v.Migration) > 0 {
		keys = append(keys, "migration")
	}
	if len(v.SecretNames) > 0 {
		keys = append(keys, "secrets ("+strings.Join(v.SecretNames, ", ")+")")
	}
	return "onepipe." + strings.Join(keys, ", .")
}

func marshal(v any) ([]byte, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("helm values: %w", err)
	}
	return b, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
