package kube

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// secretObject is a v1 Secret with string data.
type secretObject struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   secretMeta        `json:"metadata"`
	Type       string            `json:"type"`
	StringData map[string]string `json:"stringData"`
}

type secretMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// SecretManifest is the app's Secret (type Opaque) holding the environment's
// secrets, keyed by variable name. The result holds secret values: hand it
// to the engine as a secret (mounted at SecretFilePath), never print it.
// Errors never contain a value.
func SecretManifest(namespace, name string, labels, data map[string]string) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("secret %s: no data", name)
	}
	for k := range data {
		if !secretKey(k) {
			return nil, fmt.Errorf("secret %s: key %q: use letters, digits, -, _ and .", name, k)
		}
	}
	b, err := yaml.Marshal(secretObject{
		APIVersion: "v1", Kind: "Secret", Type: "Opaque",
		Metadata:   secretMeta{Name: name, Namespace: namespace, Labels: labels},
		StringData: data,
	})
	if err != nil {
		return nil, fmt.Errorf("secret %s: marshal failed", name)
	}
	return b, nil
}

// secretKey reports whether k is a valid Secret data key.
func secretKey(k string) bool {
	if k == "" || len(k) > 253 || k == "." || k == ".." {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
