package plan

import (
	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/imageref"
	"github.com/onepipe/onepipe/pipeline"
)

// Cache says where the registry cache goes (--cache, --no-cache).
type Cache struct {
	// Repository holds the cache images (default: cache.repository of
	// onepipe.yaml; in CI, when the run pushes, the image repository +
	// /onepipe-cache).
	Repository string
	// Off turns the cache off.
	Off bool
}

// CachePlan is the registry cache a run uses.
type CachePlan struct {
	Repository string
	// Username logs in with the publish credentials when the cache is on
	// the registry the image goes to; empty: anonymous.
	Username string
	// Why says where the repository came from, for onepipe plan.
	Why string

	withPassword bool
}

// defaultCacheSuffix names the cache repository under the image's.
const defaultCacheSuffix = "/onepipe-cache"

// resolveCache picks the cache repository and its credentials.
func (p *Plan) resolveCache(c Cache) error {
	if c.Off || p.App.Config.Cache.Disabled {
		return nil
	}
	repo, why := c.Repository, "--cache"
	if repo == "" {
		repo, why = p.App.Config.Cache.Repository, "cache.repository in onepipe.yaml"
	}
	if repo == "" && p.CI.Provider != cictx.Local && p.Publish != nil {
		repo, why = p.Publish.Repository+defaultCacheSuffix, "in CI, beside the image"
	}
	if repo == "" {
		return nil
	}
	if err := imageref.CheckRepository(repo); err != nil {
		return err
	}
	cp := &CachePlan{Repository: repo, Why: why}
	if p.Publish != nil && p.Publish.PasswordRef != "" && imageref.RegistryHost(repo) == imageref.RegistryHost(p.Publish.Repository) {
		cp.Username, cp.withPassword = p.Publish.Username, true
	}
	p.Cache = cp
	return nil
}

// registryCache is the cache of the run on dag (nil when there is none).
func (p *Plan) registryCache(dag *dagger.Client) *pipeline.RegistryCache {
	if p.Cache == nil {
		return nil
	}
	c := &pipeline.RegistryCache{Repository: p.Cache.Repository, Username: p.Cache.Username, App: p.App.Config.App}
	if v, ok := p.secrets[pipeline.SecretRegistryPassword]; ok && p.Cache.withPassword {
		c.Password = pipeline.NewSecret(dag, pipeline.SecretRegistryPassword, p.Publish.Repository, v)
	}
	return c
}
