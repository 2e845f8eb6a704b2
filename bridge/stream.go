package bridge

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamConfig is the stream EnsureStream makes for a bridge: file storage,
// limits retention that refuses new frames when full (DiscardNew: a full
// stream holds the ring back instead of dropping frames a reader may not
// have read), MaxBytes (unlimited if 0) and Replicas (1 if 0).
func StreamConfig(name string, maxBytes int64, replicas int) jetstream.StreamConfig {
	if maxBytes <= 0 {
		maxBytes = -1
	}
	return jetstream.StreamConfig{
		Name:        name,
		Description: "frames of a disruptor ring (disruptor bridge)",
		Subjects:    []string{name + ".frames"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		MaxBytes:    maxBytes,
		Replicas:    max(replicas, 1),
	}
}

// EnsureStream returns the stream named cfg.Name, creating it with cfg if
// it does not exist and create is true; if it does not exist and create is
// false, the error wraps jetstream.ErrStreamNotFound.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig, create bool) (jetstream.Stream, error) {
	st, err := js.Stream(ctx, cfg.Name)
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) || !create {
		return nil, fmt.Errorf("bridge: stream %q: %w", cfg.Name, err)
	}
	st, err = js.CreateStream(ctx, cfg)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // made meanwhile by the other direction
		return js.Stream(ctx, cfg.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("bridge: creating stream %q: %w", cfg.Name, err)
	}
	return st, nil
}
