package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/pipeline"
)

// reviewName is a DNS label: what GitLab's $CI_COMMIT_REF_SLUG always is.
var reviewName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// maxNamespace is the longest Kubernetes namespace name (a DNS label).
const maxNamespace = 63

// ReviewEnvironment is environment e deployed as the review environment
// name (a merge request's, e.g. mr-7): the same settings in the namespace
// NAMESPACE-NAME (tornado-dev-mr-7) and, when e has an ingress host, at
// NAME.HOST, so that a review environment shares neither its namespace nor
// its host with the environment or another review. A namespace longer than
// 63 characters is cut and ends in a hash of the whole name instead.
func ReviewEnvironment(e config.Environment, name string) (config.Environment, error) {
	if !reviewName.MatchString(name) {
		return e, fmt.Errorf("--review %q: use lowercase letters, digits and dashes, at most 63, starting and ending with a letter or digit (e.g. mr-7, or $CI_COMMIT_REF_SLUG on GitLab)", name)
	}
	e.Namespace = reviewNamespace(e.Namespace, name)
	if e.Host != "" {
		e.Host = name + "." + e.Host
		if len(e.Host) > 253 {
			return e, fmt.Errorf("--review %q: the review host %s is longer than 253 characters: use a shorter review name", name, e.Host)
		}
	}
	return e, nil
}

// reviewNamespace is namespace-name, cut to 63 characters with a hash of
// the whole name when it is longer, so that two long names stay apart.
func reviewNamespace(namespace, name string) string {
	full := namespace + "-" + name
	if len(full) <= maxNamespace {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	hash := hex.EncodeToString(sum[:])[:8]
	return strings.TrimRight(full[:maxNamespace-len(hash)-1], "-") + "-" + hash
}

// review makes the plan's environment the review environment name: the
// target is made from a copy of the app whose environment has the review
// namespace and host; the app itself is left as it was. Only an environment
// on a Kubernetes cluster has review environments: elsewhere a review would
// replace the environment itself.
func (p *Plan) review(name string) error {
	if !pipeline.TargetUsesCluster(p.App.Config, p.EnvName) {
		return fmt.Errorf("--review %s: environment %s deploys to %s, not to a Kubernetes cluster, so a review environment would replace it: drop --review", name, p.EnvName, pipeline.TargetName(p.App.Config, p.EnvName))
	}
	e, err := ReviewEnvironment(p.Env, name)
	if err != nil {
		return err
	}
	app := *p.App
	app.Config.Environments = maps.Clone(app.Config.Environments)
	app.Config.Environments[p.EnvName] = e
	p.App, p.Env = &app, e
	return nil
}
