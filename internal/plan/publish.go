package plan

import (
	"fmt"
	"strings"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/imageref"
	"github.com/onepipe/onepipe/pipeline"
)

// resolvePublish picks the repository, tags and credentials, and resolves
// the password now so that a missing secret fails before any work starts.
func (p *Plan) resolvePublish(env Environment, po Publish) error {
	cfg := p.App.Config
	repo := po.Repository
	if po.Push {
		if repo = cfg.Image; repo == "" {
			repo = p.CI.RegistryImage
		}
		if repo == "" {
			return fmt.Errorf("--push has no repository: set image: in %s or pass --publish REPOSITORY", config.FileName)
		}
	}
	if err := pipeline.CheckRepository(repo); err != nil {
		return err
	}
	if p.Release.Version == "" {
		return fmt.Errorf("publish %s: no image tag: the revision is unknown (not a git checkout, no CI variables): pass --sha or --tag", repo)
	}
	pub := &PublishPlan{Repository: repo, Tags: p.Release.Tags}
	user, pass := po.Username, po.Password
	if user == "" {
		user = cfg.Registry.Username
	}
	if pass == "" {
		pass = cfg.Registry.Password
	}
	if pass == "" && p.CI.RegistryPasswordEnv != "" && imageref.RegistryHost(repo) == p.CI.Registry {
		pass = "env:" + p.CI.RegistryPasswordEnv
		if user == "" {
			user = p.CI.RegistryUser
		}
	}
	if strings.HasPrefix(user, "env:") || strings.HasPrefix(user, "file:") {
		v, err := env.Secrets.Lookup("registry username", user)
		if err != nil {
			return err
		}
		user = v
	}
	if pass != "" {
		v, err := env.Secrets.Lookup("registry password", pass)
		if err != nil {
			return err
		}
		if user == "" {
			return fmt.Errorf("registry password given without a user: pass --registry-username or set registry.username in %s", config.FileName)
		}
		p.secrets[pipeline.SecretRegistryPassword] = v
		pub.PasswordRef = pass
	}
	pub.Username = user
	p.Publish = pub
	return nil
}
