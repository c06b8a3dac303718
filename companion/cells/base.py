"""What the three companion cells have in common: arguments, weights, dropout masks, config.

Each cell (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``) adds only its own equations. The
weights are laid out as in Keras: the blocks of all gates side by side in one ``kernel``
``(input_dim, n_blocks * units)`` and one ``recurrent_kernel`` ``(units, n_blocks * units)``,
so that ``set_weights(keras_layer.get_weights())`` carries over.
"""

import keras
from keras import ops

# Keras' RNN layer creates a cell's dropout masks once per sequence, before its loop, and
# clears them after, but only for cells that are instances of this mixin. It is not a cell
# (it computes nothing); inheriting it is how a custom cell gets Keras' mask life cycle.
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from companion import checks


class RecurrentCell(keras.layers.Layer, DropoutRNNCell):
    """Base class of the companion cells; not used on its own.

    Subclasses set ``n_blocks`` (1 for SimpleRNN, 4 for LSTM, 3 for GRU), ``state_size``
    and implement ``build`` (via ``_build_kernels``) and ``call``.
    """

    n_blocks = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        units = checks.positive_int("units", units)
        super().__init__(**kwargs)
        self.units = units
        self.activation = checks.activation("activation", activation)
        self.use_bias = checks.flag("use_bias", use_bias)
        self.kernel_initializer = checks.initializer(
            "kernel_initializer", kernel_initializer
        )
        self.recurrent_initializer = checks.initializer(
            "recurrent_initializer", recurrent_initializer
        )
        self.bias_initializer = checks.initializer("bias_initializer", bias_initializer)
        self.kernel_regularizer = checks.regularizer(
            "kernel_regularizer", kernel_regularizer
        )
        self.recurrent_regularizer = checks.regularizer(
            "recurrent_regularizer", recurrent_regularizer
        )
        self.bias_regularizer = checks.regularizer("bias_regularizer", bias_regularizer)
        self.kernel_constraint = checks.constraint("kernel_constraint", kernel_constraint)
        self.recurrent_constraint = checks.constraint(
            "recurrent_constraint", recurrent_constraint
        )
        self.bias_constraint = checks.constraint("bias_constraint", bias_constraint)
        self.dropout = checks.rate("dropout", dropout)
        self.recurrent_dropout = checks.rate("recurrent_dropout", recurrent_dropout)
        self.seed = checks.seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed=self.seed)
        # As in Keras: with recurrent dropout, every gate gets its own input mask and its
        # own recurrent mask (Gal and Ghahramani 2016); without it, one input mask serves all.
        if self.recurrent_dropout > 0 and self.n_blocks > 1:
            self.dropout_mask_count = self.n_blocks
        self.output_size = self.units

    # -- weights ---------------------------------------------------------------------------

    def _build_kernels(self, step_shape):
        _check_step_shape(type(self).__name__, step_shape)
        input_dim = step_shape[-1]
        width = self.n_blocks * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape, initializer=None):
        self.bias = self.add_weight(
            shape=shape,
            name="bias",
            initializer=initializer or self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    # -- one step's building blocks ---------------------------------------------------------

    def _input_masks(self, inputs, training):
        """The sequence's input dropout mask(s), or None when nothing is dropped."""
        if training and self.dropout > 0:
            return self.get_dropout_mask(inputs)
        return None

    def _recurrent_masks(self, h_prev, training):
        if training and self.recurrent_dropout > 0:
            return self.get_recurrent_dropout_mask(h_prev)
        return None

    def _project(self, x, weight, masks):
        """``x @ weight`` split into the ``n_blocks`` gate blocks, dropout masks applied.

        ``masks`` is None, one mask for all blocks, or one mask per block.
        """
        if isinstance(masks, (list, tuple)):
            blocks = ops.split(weight, self.n_blocks, axis=1)
            return [ops.matmul(x * mask, block) for mask, block in zip(masks, blocks)]
        if masks is not None:
            x = x * masks
        return ops.split(ops.matmul(x, weight), self.n_blocks, axis=-1)

    def _check_step(self, inputs):
        if len(inputs.shape) != 2:
            _check_step_shape(type(self).__name__, inputs.shape)

    # -- states and config -------------------------------------------------------------------

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "recurrent_initializer": serialize(self.recurrent_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "recurrent_regularizer": serialize(self.recurrent_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "recurrent_constraint": serialize(self.recurrent_constraint),
            "bias_constraint": serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}


def _check_step_shape(cell_name, step_shape):
    """A cell sees one time step at a time: a 2-D ``(batch, features)`` tensor."""
    step_shape = tuple(step_shape)
    if len(step_shape) != 2 or step_shape[-1] is None:
        raise ValueError(
            f"{cell_name} expects each time step as a 2-D tensor of shape "
            f"(batch, features) with a known number of features, so the input of "
            f"`keras.layers.RNN` must be 3-D (batch, time, features); the cell got a "
            f"step of shape {step_shape}."
        )
