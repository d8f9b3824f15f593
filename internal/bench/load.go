package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
)

// juror is one simulated juror. Only the worker holding it calls on its behalf, so its ballot's
// version is always the one it last saved.
type juror struct {
	email   string
	c       demo.Clients
	edition string
	scores  [][2]string // nomination and criterion of every mark the ballot needs
	version int64
	rng     *rand.Rand
}

// save replaces the draft with a complete ballot of fresh marks.
func (j *juror) save(ctx context.Context) (time.Duration, error) {
	scores := make([]*v1.Score, len(j.scores))
	for i, s := range j.scores {
		scores[i] = &v1.Score{NominationId: s[0], CriterionId: s[1], Value: int32(minScore + j.rng.IntN(maxScore-minScore+1))}
	}
	start := time.Now()
	resp, err := j.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: j.edition, ExpectedVersion: j.version, Scores: scores})
	d := time.Since(start)
	if err != nil {
		if connect.CodeOf(err) == connect.CodeAborted {
			j.resync(ctx)
		}
		return d, err
	}
	j.version = resp.GetBallot().GetVersion()
	return d, nil
}

// cast casts the last saved version with a fresh request id.
func (j *juror) cast(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	_, err := j.c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: j.edition, ExpectedVersion: j.version, RequestId: uuid.NewString()})
	d := time.Since(start)
	if connect.CodeOf(err) == connect.CodeAborted {
		j.resync(ctx)
	}
	return d, err
}

// resync reloads the ballot's version after a conflict, which only a bug could cause here.
func (j *juror) resync(ctx context.Context) {
	if b, err := j.c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: j.edition}); err == nil {
		j.version = b.GetBallot().GetVersion()
	}
}

// phase is one load phase: each iteration takes a free juror and makes the phase's calls, in order,
// as that juror. ops names what each call's latency is recorded as.
type phase struct {
	name string
	ops  []opName
	do   func(ctx context.Context, j *juror, record func(op int, d time.Duration, err error))
}

type opName struct{ rpc, label string }

// phases are the three measured loads: saves alone, casts alone (each juror re-casting the version
// it last saved, with a fresh request id), and the juror's loop of a save followed by a cast of it.
func phases() []phase {
	return []phase{
		{
			name: "SaveBallot",
			ops:  []opName{{"SaveBallot", "SaveBallot"}},
			do: func(ctx context.Context, j *juror, record func(int, time.Duration, error)) {
				d, err := j.save(ctx)
				record(0, d, err)
			},
		},
		{
			name: "CastBallot",
			ops:  []opName{{"CastBallot", "CastBallot"}},
			do: func(ctx context.Context, j *juror, record func(int, time.Duration, error)) {
				d, err := j.cast(ctx)
				record(0, d, err)
			},
		},
		{
			name: "SaveBallot then CastBallot",
			ops:  []opName{{"SaveBallot", "SaveBallot, in save→cast loop"}, {"CastBallot", "CastBallot, in save→cast loop"}},
			do: func(ctx context.Context, j *juror, record func(int, time.Duration, error)) {
				d, err := j.save(ctx)
				record(0, d, err)
				if err != nil {
					return
				}
				d, err = j.cast(ctx)
				record(1, d, err)
			},
		},
	}
}

// opResult is what one kind of call did during a phase.
type opResult struct {
	phase     string
	rpc, name string
	lat       []time.Duration // of the successful calls, sorted
	errs      int
	firstErr  error
	elapsed   time.Duration // the phase's wall time, from the first call to the last one's end
	inFlight  int
	cpu       cpuUse  // of the whole phase, shared by the phase's kinds of call
	offered   float64 // calls per second offered, for an open-loop phase; 0 for a closed loop
}

func (o opResult) rate() float64 { return float64(len(o.lat)) / o.elapsed.Seconds() }

func (o opResult) mean() time.Duration {
	var sum time.Duration
	for _, d := range o.lat {
		sum += d
	}
	return sum / time.Duration(max(1, len(o.lat)))
}

// quantile is the nearest-rank q-quantile of the successful calls' latencies.
func (o opResult) quantile(q float64) time.Duration {
	if len(o.lat) == 0 {
		return 0
	}
	k := int(math.Ceil(q*float64(len(o.lat)))) - 1
	return o.lat[min(max(k, 0), len(o.lat)-1)]
}

// runPhase runs ph with concurrency workers for d. Each worker repeatedly takes a juror nobody else
// holds, so with fewer jurors than workers only as many calls as jurors are in flight. Calls under
// way at the deadline finish and count; the rate is over the phase's whole wall time.
func runPhase(ctx context.Context, jurors []*juror, concurrency int, d time.Duration, ph phase) []opResult {
	free := make(chan *juror, len(jurors))
	for _, j := range jurors {
		free <- j
	}
	workers := min(concurrency, len(jurors))
	type tally struct {
		lat      [][]time.Duration
		errs     []int
		firstErr []error
	}
	per := make([]tally, workers)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		t := &per[w]
		t.lat, t.errs, t.firstErr = make([][]time.Duration, len(ph.ops)), make([]int, len(ph.ops)), make([]error, len(ph.ops))
		record := func(op int, d time.Duration, err error) {
			if err == nil {
				t.lat[op] = append(t.lat[op], d)
				return
			}
			if ctx.Err() != nil && errors.Is(err, context.Canceled) {
				return
			}
			t.errs[op]++
			if t.firstErr[op] == nil {
				t.firstErr[op] = err
			}
		}
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				j := <-free
				ph.do(ctx, j, record)
				free <- j
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	out := make([]opResult, len(ph.ops))
	for i, op := range ph.ops {
		o := opResult{phase: ph.name, rpc: op.rpc, name: op.label, elapsed: elapsed, inFlight: workers}
		for _, t := range per {
			o.lat = append(o.lat, t.lat[i]...)
			o.errs += t.errs[i]
			if o.firstErr == nil {
				o.firstErr = t.firstErr[i]
			}
		}
		slices.Sort(o.lat)
		out[i] = o
	}
	return out
}

// runRate offers CastBallot calls at a fixed rate for d, open loop: call i is due at start + i/rate
// whether or not earlier calls have returned, and its latency counts from when it was due, so a
// server that falls behind shows it in the latency instead of slowing the load down (the closed
// loop of runPhase measures throughput; this measures latency at a given load). Each call takes a
// juror nobody else holds; when all are busy the call waits for one, and the wait counts.
func runRate(ctx context.Context, jurors []*juror, rate float64, d time.Duration) opResult {
	free := make(chan *juror, len(jurors))
	for _, j := range jurors {
		free <- j
	}
	name := fmt.Sprintf("CastBallot at %g/s offered", rate)
	var (
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr error
		wg       sync.WaitGroup
	)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := 0; ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= d {
			break
		}
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		var j *juror
		select {
		case j = <-free:
		case <-ctx.Done():
		}
		if j == nil {
			break
		}
		wg.Go(func() {
			_, err := j.cast(ctx)
			took := time.Since(due)
			free <- j
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				lat = append(lat, took)
			case ctx.Err() != nil && errors.Is(err, context.Canceled):
			default:
				errs++
				if firstErr == nil {
					firstErr = err
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return opResult{phase: name, rpc: "CastBallot", name: name + " (open loop; latency from when each call was due)", lat: lat, errs: errs, firstErr: firstErr, elapsed: time.Since(start), inFlight: len(jurors), offered: rate}
}
