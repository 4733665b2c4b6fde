package kube

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"sigs.k8s.io/yaml"
)

// kubeconfig is the part of a kubeconfig file onepipe checks.
type kubeconfig struct {
	Kind     string `json:"kind"`
	Clusters []struct {
		Name    string `json:"name"`
		Cluster struct {
			Server string `json:"server"`
		} `json:"cluster"`
	} `json:"clusters"`
	Contexts []struct {
		Name    string `json:"name"`
		Context struct {
			Cluster string `json:"cluster"`
		} `json:"context"`
	} `json:"contexts"`
	CurrentContext string `json:"current-context"`
}

// CheckKubeconfig says whether data is a kubeconfig kubectl can use: a
// Config with a cluster that has an https (or loopback http) server and a
// context to use. It never echoes the data: a kubeconfig holds credentials.
func CheckKubeconfig(data []byte) error {
	if strings.TrimSpace(string(data)) == "" {
		return errors.New("is empty: give the cluster's kubeconfig file")
	}
	var kc kubeconfig
	if err := yaml.Unmarshal(data, &kc); err != nil {
		return errors.New("is not a kubeconfig (not YAML): give the cluster's kubeconfig file, e.g. the output of `kubectl config view --raw --minify`")
	}
	if kc.Kind != "Config" || len(kc.Clusters) == 0 {
		return errors.New("is not a kubeconfig (no kind: Config with clusters): give the cluster's kubeconfig file, e.g. the output of `kubectl config view --raw --minify`")
	}
	for _, c := range kc.Clusters {
		u, err := url.Parse(c.Cluster.Server)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("cluster %q has no server URL: set clusters[].cluster.server, e.g. https://api.example.com:6443", c.Name)
		}
	}
	switch {
	case len(kc.Contexts) == 0:
		return errors.New("has no contexts: add one naming the cluster and user")
	case kc.CurrentContext == "" && len(kc.Contexts) > 1:
		return errors.New("has several contexts and no current-context: set current-context")
	case kc.CurrentContext != "":
		for _, c := range kc.Contexts {
			if c.Name == kc.CurrentContext {
				return nil
			}
		}
		return fmt.Errorf("current-context %q names no context of the file", kc.CurrentContext)
	}
	return nil
}

// LoopbackServer returns the API server of the kubeconfig's current context
// when it is on this machine's loopback (a kind, minikube or k3d cluster:
// https://127.0.0.1:PORT), which a container cannot reach as it is.
func LoopbackServer(data []byte) (u *url.URL, ok bool) {
	var kc kubeconfig
	if yaml.Unmarshal(data, &kc) != nil {
		return nil, false
	}
	cluster := ""
	for _, c := range kc.Contexts {
		if c.Name == kc.CurrentContext || (kc.CurrentContext == "" && len(kc.Contexts) == 1) {
			cluster = c.Context.Cluster
		}
	}
	for _, c := range kc.Clusters {
		if c.Name != cluster {
			continue
		}
		u, err := url.Parse(c.Cluster.Server)
		if err != nil || u.Port() == "" {
			return nil, false
		}
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			return u, true
		}
	}
	return nil, false
}

// WithServer points every cluster of the kubeconfig whose server is from at
// server instead, keeping the TLS check on the name the certificate was
// made for (tls-server-name: from's host). The rest is kept as it is.
func WithServer(data []byte, from *url.URL, server string) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errors.New("is not a kubeconfig (not YAML)")
	}
	clusters, _ := doc["clusters"].([]any)
	for _, c := range clusters {
		entry, _ := c.(map[string]any)
		cl, _ := entry["cluster"].(map[string]any)
		if cl == nil || cl["server"] != from.String() {
			continue
		}
		cl["server"] = server
		if _, set := cl["tls-server-name"]; !set {
			cl["tls-server-name"] = from.Hostname()
		}
	}
	return yaml.Marshal(doc)
}
