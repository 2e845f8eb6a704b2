package disruptor

// A producer's counters: what its fast paths leave uncounted is derived
// from its sequences when the tallies are flushed (fold).

// countClaim tallies a claim of n slots: one claim (in single mode, with
// the n sequences it took, which fold does not count as claims of one), and
// a batch if n > 1.
func (p *Producer[E]) countClaim(n int64) {
	if p.single {
		p.countedClaims++
		p.countedSeqs += n
	} else {
		p.t.V[pClaims]++
	}
	if n > 1 {
		p.t.V[pBatches]++
	}
}

// fold sets the single mode's claim and publication counts from the
// sequences: what the fast paths do not count one by one.
//
// In multi mode the fast paths count their claims of one, published at
// once, in ones: fold adds those since the last fold to both counts.
func (p *Producer[E]) fold() {
	if !p.single {
		p.t.V[pPublished] += p.ones - p.onesFolded
		p.t.V[pClaims] += p.ones - p.onesFolded
		p.onesFolded = p.ones
		return
	}
	pub := p.next - p.start // sequences published, or claimed and outstanding
	if p.holding() {
		pub -= p.next - p.lo
	}
	markers := p.t.V[pSkips] - p.base[pSkips] + p.t.V[pFlushes] - p.base[pFlushes] + p.t.V[pEOFs] - p.base[pEOFs]
	p.t.V[pPublished] = p.base[pPublished] + pub - markers
	p.t.V[pClaims] = p.base[pClaims] + p.countedClaims + (p.next - p.start - p.countedSeqs)
}

// showWaits folds the producer's waits into its tallies and publishes them.
func (p *Producer[E]) showWaits() {
	p.t.V[pFull] += p.st.WC.Full
	p.st.WC.Full = 0
	p.t.AddWaits(&p.st.WC, pPolls, pYields, pParks)
	p.flushStats()
}

// storeExact publishes the counts that follow from what was published.
func (p *Producer[E]) storeExact() {
	p.fold()
	p.t.V[pBytes] = p.t.V[pPublished] * p.evSize
	p.t.Store(pPublished)
	p.t.Store(pBytes)
}

// flushStats publishes the producer's tallies.
func (p *Producer[E]) flushStats() {
	p.fold()
	p.flushAt = p.next + publishFlushEvery
	if !p.single {
		p.flushAt = p.ones + publishFlushEvery
	}
	p.quiet()
	if p.single {
		pos := p.next - 1
		if p.holding() {
			pos = p.lo - 1
		}
		p.t.V[pMark] = pos + 2 // 0 stays "none"
	}
	p.t.V[pBytes] = p.t.V[pPublished] * p.evSize
	p.t.Flush()
}

// Stats returns a snapshot of the producer's counters. It is safe to call
// from any goroutine; values may trail the producer by a few events.
func (p *Producer[E]) Stats() ProducerStats {
	rec := p.r.host.statsOf(p.t.Rec)
	if rec == nil { // a fault on the mapping
		return ProducerStats{}
	}
	return producerStats(p.name, rec)
}
