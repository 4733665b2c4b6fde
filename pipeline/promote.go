package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/onepipe/onepipe/internal/registry"
)

// Promotion publishes a release by tagging the image its commit's branch
// pipeline already pushed (build once, promote): when the repository's
// tag From names an image built from this very source (same revision, same
// source digest, same platforms), the release tags name that manifest and
// nothing is rebuilt; otherwise the run builds and pushes as usual.
type Promotion struct {
	// Registry reads and tags the repository (the publish credentials).
	Registry registry.Client
	// From is the tag the commit's image was pushed under (its short SHA).
	From string
	// Revision is the commit SHA the image must carry.
	Revision string
}

// withSourceDigest labels the images with the source's digest.
func (p *Pipeline) withSourceDigest(ctx context.Context) (*Pipeline, error) {
	d, err := p.source.Digest(ctx)
	if err != nil {
		return nil, fmt.Errorf("source: %w", Explain(err))
	}
	q := *p
	q.opts.Labels.SourceDigest = d
	return &q, nil
}

// promotable returns the image the release can be promoted from, or a
// reason why it cannot ("" image with nil error: build instead).
func (p *Pipeline) promotable(ctx context.Context, pr *Promotion) (registry.Image, string, error) {
	img, err := pr.Registry.Get(ctx, pr.From)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return registry.Image{}, fmt.Sprintf("no image %s:%s yet", pr.Registry.Repository, pr.From), nil
	case err != nil:
		return registry.Image{}, "", err
	}
	var want []string
	for _, pl := range p.opts.Platforms {
		want = append(want, string(pl))
	}
	switch {
	case img.Labels[LabelRevision] != pr.Revision:
		return registry.Image{}, fmt.Sprintf("%s:%s is of revision %q", pr.Registry.Repository, pr.From, img.Labels[LabelRevision]), nil
	case img.Labels[LabelSourceDigest] != p.opts.Labels.SourceDigest:
		return registry.Image{}, fmt.Sprintf("%s:%s was built from other source", pr.Registry.Repository, pr.From), nil
	case !slices.Equal(slices.Sorted(slices.Values(img.Platforms)), slices.Sorted(slices.Values(want))):
		return registry.Image{}, fmt.Sprintf("%s:%s is for %v", pr.Registry.Repository, pr.From, img.Platforms), nil
	}
	return img, "", nil
}

// promote tags img with every tag.
func (p *Pipeline) promote(ctx context.Context, pr *Promotion, img registry.Image, tags []string) ([]Published, error) {
	var out []Published
	for _, tag := range tags {
		if err := pr.Registry.Tag(ctx, img.Digest, tag); err != nil {
			return out, fmt.Errorf("publish %s:%s: %w", pr.Registry.Repository, tag, err)
		}
		out = append(out, Published{Ref: pr.Registry.Repository + ":" + tag, Digest: img.Digest})
	}
	return out, nil
}
