/**
 * Copyright 2026 The Emscripten Authors.  All rights reserved.
 * Emscripten is available under two separate licenses, the MIT license and the
 * University of Illinois/NCSA Open Source License.  Both these licenses can be
 * found in the LICENSE file.
 *
 * The Direct Sockets API, used by -sDIRECT_SOCKETS (src/lib/libsockfs_direct.js).
 * Closure's own externs do not know it yet, so without these it would rename
 * the members of the option dictionaries and of the open-info objects.
 * See https://wicg.github.io/direct-sockets/ (the WebIDL of each interface and
 * dictionary below).
 */

/**
 * @record
 */
function SocketOptions() {}
/** @type {number|undefined} */
SocketOptions.prototype.sendBufferSize;
/** @type {number|undefined} */
SocketOptions.prototype.receiveBufferSize;

/**
 * @record
 * @extends {SocketOptions}
 */
function TCPSocketOptions() {}
/** @type {boolean|undefined} */
TCPSocketOptions.prototype.noDelay;
/** @type {number|undefined} */
TCPSocketOptions.prototype.keepAliveDelay;
/** @type {string|undefined} */
TCPSocketOptions.prototype.dnsQueryType;

/**
 * @record
 */
function TCPSocketOpenInfo() {}
/** @type {!ReadableStream} */
TCPSocketOpenInfo.prototype.readable;
/** @type {!WritableStream} */
TCPSocketOpenInfo.prototype.writable;
/** @type {string} */
TCPSocketOpenInfo.prototype.remoteAddress;
/** @type {number} */
TCPSocketOpenInfo.prototype.remotePort;
/** @type {string} */
TCPSocketOpenInfo.prototype.localAddress;
/** @type {number} */
TCPSocketOpenInfo.prototype.localPort;

/**
 * @constructor
 * @param {string} remoteAddress
 * @param {number} remotePort
 * @param {!TCPSocketOptions=} options
 */
function TCPSocket(remoteAddress, remotePort, options) {}
/** @type {!Promise<!TCPSocketOpenInfo>} */
TCPSocket.prototype.opened;
/** @type {!Promise<undefined>} */
TCPSocket.prototype.closed;
/** @return {!Promise<undefined>} */
TCPSocket.prototype.close = function() {};

/**
 * @record
 * @extends {SocketOptions}
 */
function UDPSocketOptions() {}
/** @type {string|undefined} */
UDPSocketOptions.prototype.remoteAddress;
/** @type {number|undefined} */
UDPSocketOptions.prototype.remotePort;
/** @type {string|undefined} */
UDPSocketOptions.prototype.localAddress;
/** @type {number|undefined} */
UDPSocketOptions.prototype.localPort;
/** @type {string|undefined} */
UDPSocketOptions.prototype.dnsQueryType;
/** @type {boolean|undefined} */
UDPSocketOptions.prototype.ipv6Only;
/** @type {boolean|undefined} */
UDPSocketOptions.prototype.multicastAllowAddressSharing;
/** @type {number|undefined} */
UDPSocketOptions.prototype.multicastTimeToLive;
/** @type {boolean|undefined} */
UDPSocketOptions.prototype.multicastLoopback;

/**
 * @record
 */
function UDPMessage() {}
/** @type {!BufferSource} */
UDPMessage.prototype.data;
/** @type {string|undefined} */
UDPMessage.prototype.remoteAddress;
/** @type {number|undefined} */
UDPMessage.prototype.remotePort;
/** @type {string|undefined} */
UDPMessage.prototype.dnsQueryType;

/**
 * @constructor
 */
function MulticastController() {}
/**
 * @param {string} ipAddress
 * @param {!Object=} options
 * @return {!Promise<undefined>}
 */
MulticastController.prototype.joinGroup = function(ipAddress, options) {};
/**
 * @param {string} ipAddress
 * @param {!Object=} options
 * @return {!Promise<undefined>}
 */
MulticastController.prototype.leaveGroup = function(ipAddress, options) {};
/** @type {!Array<string>} */
MulticastController.prototype.joinedGroups;

/**
 * @record
 */
function MulticastMembershipOptions() {}
/** @type {string|undefined} */
MulticastMembershipOptions.prototype.sourceAddress;
/** @type {string|undefined} */
MulticastMembershipOptions.prototype.interfaceName;

/**
 * @record
 */
function UDPSocketOpenInfo() {}
/** @type {!ReadableStream} */
UDPSocketOpenInfo.prototype.readable;
/** @type {!WritableStream} */
UDPSocketOpenInfo.prototype.writable;
/** @type {string|undefined} */
UDPSocketOpenInfo.prototype.remoteAddress;
/** @type {number|undefined} */
UDPSocketOpenInfo.prototype.remotePort;
/** @type {string} */
UDPSocketOpenInfo.prototype.localAddress;
/** @type {number} */
UDPSocketOpenInfo.prototype.localPort;
/** @type {!MulticastController|undefined} */
UDPSocketOpenInfo.prototype.multicastController;

/**
 * @constructor
 * @param {!UDPSocketOptions} options
 */
function UDPSocket(options) {}
/** @type {!Promise<!UDPSocketOpenInfo>} */
UDPSocket.prototype.opened;
/** @type {!Promise<undefined>} */
UDPSocket.prototype.closed;
/** @return {!Promise<undefined>} */
UDPSocket.prototype.close = function() {};

/**
 * @record
 */
function TCPServerSocketOptions() {}
/** @type {number|undefined} */
TCPServerSocketOptions.prototype.localPort;
/** @type {number|undefined} */
TCPServerSocketOptions.prototype.backlog;
/** @type {boolean|undefined} */
TCPServerSocketOptions.prototype.ipv6Only;

/**
 * @record
 */
function TCPServerSocketOpenInfo() {}
/** @type {!ReadableStream} */
TCPServerSocketOpenInfo.prototype.readable;
/** @type {string} */
TCPServerSocketOpenInfo.prototype.localAddress;
/** @type {number} */
TCPServerSocketOpenInfo.prototype.localPort;

/**
 * @constructor
 * @param {string} localAddress
 * @param {!TCPServerSocketOptions=} options
 */
function TCPServerSocket(localAddress, options) {}
/** @type {!Promise<!TCPServerSocketOpenInfo>} */
TCPServerSocket.prototype.opened;
/** @type {!Promise<undefined>} */
TCPServerSocket.prototype.closed;
/** @return {!Promise<undefined>} */
TCPServerSocket.prototype.close = function() {};
