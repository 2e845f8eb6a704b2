package disruptor

// MultiProducer reports whether the ring was made WithMultiProducer (for a
// shared ring, whether its creator made it so): any number of producers may
// publish, rather than one.
func (r *Ring[E]) MultiProducer() bool { return r.eng.Multi }
