"""Data parallelism with Keras' backend-neutral distribution API (``keras.distribution``).

``keras.distribution.DataParallel`` replicates the weights on every device and splits each
batch across them; the gradients are averaged, so a step computes what one device would
compute on the whole batch. It is the JAX counterpart of TensorFlow's
``tf.distribute.MirroredStrategy`` (Keras 3.15 implements the distribution API on the JAX
backend). On a CPU, ``XLA_FLAGS=--xla_force_host_platform_device_count=2`` set before JAX
starts makes JAX see two devices, which is how the test suite runs this.
"""

from companion import checks


def fit_data_parallel(build_model, x, y, epochs=1, batch_size=32):
    """Build and fit a model with its batches split over every device Keras sees.

    Args:
        build_model: a function returning a compiled ``keras.Model``; it is called after the
            distribution is set, so that its weights are created replicated.
        x, y: the training data.
        epochs, batch_size: as for ``fit``; ``batch_size`` must divide evenly among the
            devices.

    Returns:
        ``(model, history, devices)``.
    """
    import keras

    if keras.backend.backend() != "jax":
        raise ValueError(
            f"keras.distribution runs on the JAX backend; this process runs Keras on "
            f"{keras.backend.backend()!r} (set KERAS_BACKEND=jax before importing Keras)."
        )
    epochs = checks.positive_int("epochs", epochs)
    batch_size = checks.positive_int("batch_size", batch_size)
    devices = keras.distribution.list_devices()
    if batch_size % len(devices):
        raise ValueError(f"Argument `batch_size` must divide among the {len(devices)} devices, "
                         f"got {batch_size}.")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    try:
        model = build_model()
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    finally:
        keras.distribution.set_distribution(None)
    return model, history, devices
