package pipeline

// Every image a stage starts from is named here, pinned, and nowhere else.
const (
	// DefaultRuntime is the Python image tests and lint run in when neither
	// onepipe.yaml (runtime:) nor the app's Dockerfile names one.
	DefaultRuntime = "python:3.11-slim"
	// DefaultPlatform is the platform images are built for: the usual cluster,
	// whatever the laptop running onepipe is.
	DefaultPlatform = "linux/amd64"
	// Flake8Version and RuffVersion bound the linters installed when the app's
	// own requirements do not provide them.
	Flake8Version = "flake8>=5,<8"
	RuffVersion   = "ruff>=0.4,<1"
)
